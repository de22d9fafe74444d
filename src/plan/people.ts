/**
 * The plan's people: who each person id of the plan is at the organisation's identity provider, so a
 * service that signs people in (the cutover room) can tell which person of the plan a signed-in identity is.
 * A person is known by the provider's verified email, or by the provider's subject (optionally pinned to
 * one issuer, for organisations with more than one provider).
 */
import { z } from 'zod';

const EMAIL_PATTERN = /^[^\s@<>"',;]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

export const PersonIdentity = z
  .strictObject({
    email: z
      .string()
      .max(254, 'must be at most 254 characters')
      .regex(EMAIL_PATTERN, 'is not an email address: write it like erin@acme.example')
      .optional()
      .describe("The person's email, as the provider vouches for it (verified)."),
    subject: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe("The provider's `sub` for this person, when emails are not unique or not verified there."),
    issuer: z
      .url({ protocol: /^https?$/, error: 'must be the provider issuer URL' })
      .optional()
      .describe('The issuer the subject belongs to; any configured issuer when absent.'),
  })
  .refine((person) => person.email !== undefined || person.subject !== undefined, {
    message: 'name the person by email (erin@acme.example) or by the provider subject',
  })
  .refine((person) => person.issuer === undefined || person.subject !== undefined, {
    message: 'issuer pins a subject: give subject too, or remove issuer',
  });
export type PersonIdentity = z.infer<typeof PersonIdentity>;

export type People = Record<string, PersonIdentity>;

export interface PeopleProblem {
  path: (string | number)[];
  message: string;
}

const normalEmail = (email: string) => email.trim().toLowerCase();

/**
 * What is wrong with a plan's people next to its approvers: everyone who approves or owns something must be
 * listed, and no two people may share an email or a subject, or one sign-in would speak for both.
 */
export function peopleProblems(people: People | undefined, approvers: Partial<Record<string, string[]>>): PeopleProblem[] {
  if (!people) return [];
  const problems: PeopleProblem[] = [];
  const everyone = [...new Set(Object.values(approvers).flatMap((names) => names ?? []))];
  const missing = everyone.filter((name) => !(name in people));
  if (missing.length > 0) {
    problems.push({
      path: ['people'],
      message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} in approvers but not in people: list each with an email or subject, or remove the people section`,
    });
  }
  const byEmail = new Map<string, string>();
  const bySubject = new Map<string, string>();
  for (const [name, identity] of Object.entries(people)) {
    if (identity.email !== undefined) {
      const key = normalEmail(identity.email);
      const other = byEmail.get(key);
      if (other)
        problems.push({
          path: ['people', name, 'email'],
          message: `${other} and ${name} share ${identity.email}: each person needs an email of their own`,
        });
      else byEmail.set(key, name);
    }
    if (identity.subject !== undefined) {
      const key = `${identity.issuer ?? '*'} ${identity.subject}`;
      const other = bySubject.get(key);
      if (other)
        problems.push({
          path: ['people', name, 'subject'],
          message: `${other} and ${name} share subject ${identity.subject}: each person needs a subject of their own`,
        });
      else bySubject.set(key, name);
    }
  }
  return problems;
}

/** What a provider says about a signed-in person. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email?: string;
  /** Only a verified email names a person: an unverified one could be anybody's. */
  emailVerified?: boolean;
}

/** The plan's person id for a signed-in identity, or undefined when the plan does not list them. */
export function personOf(people: People | undefined, who: ProviderIdentity): string | undefined {
  if (!people) return undefined;
  for (const [name, identity] of Object.entries(people)) {
    if (
      identity.subject !== undefined &&
      identity.subject === who.subject &&
      (identity.issuer === undefined || identity.issuer === who.issuer)
    ) {
      return name;
    }
  }
  if (who.email === undefined || who.emailVerified !== true) return undefined;
  const email = normalEmail(who.email);
  for (const [name, identity] of Object.entries(people)) {
    if (identity.email !== undefined && normalEmail(identity.email) === email) return name;
  }
  return undefined;
}

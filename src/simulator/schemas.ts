/** Request bodies of the PayCA routes, parsed at the edge; failures become ErrValidation naming the field. */
import { z } from 'zod';
import { SimError } from './http-io.js';
import { WEBHOOK_EVENT_TYPES } from './webhooks.js';

const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as "GBP"');
const Amount = z.number().int('must be an integer number of minor units').positive().max(Number.MAX_SAFE_INTEGER);
const Id = z.string().min(1).max(255);

export const IssueCardBody = z.object({
  accountId: Id,
  externalRef: Id,
  holderName: z.string().min(1).max(200),
  currency: Currency,
});

export type IssueCardInput = z.infer<typeof IssueCardBody>;

export const MoneyBody = z.object({ amount: Amount, currency: Currency });

export const SubscribeBody = z.object({
  url: z.url({ protocol: /^https?$/ }),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1),
});

export const SandboxTransactionBody = z.object({
  cardId: Id,
  amount: Amount,
  currency: Currency,
  merchant: z.object({
    name: z.string().min(1).max(200),
    mcc: z.string().regex(/^\d{4}$/, 'must be a 4-digit merchant category code'),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter ISO 3166 country code'),
  }),
});

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`).join('; ');
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new SimError('ErrValidation', `invalid request body: ${describeIssues(result.error)}`);
  return result.data;
}

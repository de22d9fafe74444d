import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { PlanInvalidError } from '../src/errors.js';
import { personOf } from '../src/plan/people.js';
import { parsePlanText } from '../src/plan/load.js';

/** Read without the CLI helpers, which load child_process, so this stays a unit suite. */
const EXAMPLE_PLAN = resolve(__dirname, '..', '..', 'plans', 'example.yaml');

type Plan = Record<string, any>;

async function examplePlan(): Promise<Plan> {
  return parse(await readFile(EXAMPLE_PLAN, 'utf8')) as Plan;
}

function problemsOf(plan: Plan): { code: string; path: string; message: string }[] {
  try {
    parsePlanText(stringify(plan), 'plan.yaml');
  } catch (err) {
    return (err as PlanInvalidError).problems;
  }
  return [];
}

describe('the plan people', () => {
  it('lists every person of the example plan with an example email', async () => {
    const plan = parsePlanText(stringify(await examplePlan()), 'example.yaml');
    const people = plan.people ?? {};
    const everyone = new Set(Object.values(plan.approvers).flat());
    assert.deepEqual(new Set(Object.keys(people)), everyone);
    for (const identity of Object.values(people)) assert.match(identity.email ?? '', /@[a-z]+\.example$/);
  });

  it('stays optional: a plan without people is valid and carries none', async () => {
    const raw = await examplePlan();
    delete raw['people'];
    assert.equal(parsePlanText(stringify(raw), 'plan.yaml').people, undefined);
  });

  const BAD: { name: string; edit: (p: Plan) => void; code: string; path: string; says: RegExp }[] = [
    {
      name: 'an approver missing from people',
      edit: (p) => delete p['people'].tomas,
      code: 'PLAN_RULE_BROKEN',
      path: 'people',
      says: /tomas is in approvers but not in people/,
    },
    {
      name: 'an email that is not one',
      edit: (p) => (p['people'].erin = { email: 'erin at acme' }),
      code: 'PLAN_INVALID_FORMAT',
      path: 'people.erin.email',
      says: /not an email address/,
    },
    {
      name: 'two people sharing an email',
      edit: (p) => (p['people'].eli = { email: 'ERIN@acme.example' }),
      code: 'PLAN_RULE_BROKEN',
      path: 'people.eli.email',
      says: /erin and eli share ERIN@acme.example/,
    },
    {
      name: 'two people sharing a subject',
      edit: (p) => ((p['people'].erin = { subject: 's-1' }), (p['people'].eli = { subject: 's-1' })),
      code: 'PLAN_RULE_BROKEN',
      path: 'people.eli.subject',
      says: /share subject s-1/,
    },
    {
      name: 'a person with neither email nor subject',
      edit: (p) => (p['people'].erin = {}),
      code: 'PLAN_RULE_BROKEN',
      path: 'people.erin',
      says: /by email .* or by the provider subject/,
    },
    {
      name: 'an issuer without a subject',
      edit: (p) => (p['people'].erin = { email: 'erin@acme.example', issuer: 'https://login.acme.example' }),
      code: 'PLAN_RULE_BROKEN',
      path: 'people.erin',
      says: /issuer pins a subject/,
    },
    {
      name: 'an unknown key',
      edit: (p) => (p['people'].erin = { email: 'erin@acme.example', phone: '1' }),
      code: 'PLAN_UNKNOWN_KEY',
      path: 'people.erin',
      says: /phone/,
    },
  ];
  for (const bad of BAD) {
    it(`refuses ${bad.name} with ${bad.code} at ${bad.path}`, async () => {
      const plan = await examplePlan();
      bad.edit(plan);
      const problem = problemsOf(plan).find((p) => p.path === bad.path);
      assert.ok(problem, `no problem at ${bad.path}: ${JSON.stringify(problemsOf(plan))}`);
      assert.equal(problem.code, bad.code);
      assert.match(problem.message, bad.says);
    });
  }

  it('names a signed-in identity by verified email or by subject, and nobody else', () => {
    const people = { erin: { email: 'Erin@Acme.example' }, sam: { subject: 'u-42', issuer: 'https://login.acme.example' } };
    const issuer = 'https://login.acme.example';
    assert.equal(personOf(people, { issuer, subject: 'x', email: 'erin@acme.example', emailVerified: true }), 'erin');
    assert.equal(
      personOf(people, { issuer, subject: 'x', email: 'erin@acme.example', emailVerified: false }),
      undefined,
      'an unverified email names nobody',
    );
    assert.equal(personOf(people, { issuer, subject: 'u-42' }), 'sam');
    assert.equal(personOf(people, { issuer: 'https://other.example', subject: 'u-42' }), undefined, 'a subject pinned to an issuer');
    assert.equal(personOf(people, { issuer, subject: 'y', email: 'mallory@acme.example', emailVerified: true }), undefined);
    assert.equal(personOf(undefined, { issuer, subject: 'u-42', email: 'erin@acme.example', emailVerified: true }), undefined);
  });
});

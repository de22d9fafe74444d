/**
 * Generated bad plans: the example plan spoiled in one way at a time, each with the paths a refusal may
 * name (the path spoiled, or one that depends on it). Properties in plan-generated-input.test.ts check
 * that the loader refuses every one with those paths and advice, and that good edits still pass.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Document, isMap, parse, stringify } from 'yaml';
import { parseDuration } from '../../src/plan/duration.js';
import type { CutoverPlan } from '../../src/plan/schema.js';
import { ROLES, STAGE_IDS } from '../../src/runbook/stages.js';
import { EXAMPLE_PLAN } from './cli.js';

export type PlanPath = (string | number)[];
type Json = unknown;
type PlanObject = Record<string, Json>;

/** One spoiled plan: the YAML text, what was done, and where a refusal may point. */
export interface BadPlan {
  what: string;
  text: string;
  /** Paths spoiled (or tied to the spoiled value by a cross-check). Every problem must name one of them or a parent. */
  paths: string[];
  /** When set, at least one problem must name exactly this path or a parent of it. */
  mustName?: string;
  /** Text that is no plan at all: any path may be named, only the shape and the advice are checked. */
  anywhere?: boolean;
}

export const EXAMPLE_TEXT = readFileSync(EXAMPLE_PLAN, 'utf8');
const EXAMPLE = parse(EXAMPLE_TEXT) as PlanObject;
// A room key of its own instead of the development key, which is refused once production PayCA is not a
// simulator: a case that points PayCA elsewhere is then refused only for what it spoils.
(EXAMPLE['identity'] as PlanObject)['roomPublicKey'] = '11'.repeat(32);
/** A fresh copy of the example plan to spoil. */
export const examplePlan = (): PlanObject => structuredClone(EXAMPLE);

/** The loader's way of writing a path: `stages.go-live.gate[1]`. */
export function formatPath(path: PlanPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');
}

export function getAt(value: Json, path: PlanPath): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json> | undefined)?.[key], value);
}

export function setAt(root: PlanObject, path: PlanPath, value: Json): PlanObject {
  let node = root as Record<string | number, Json>;
  path.slice(0, -1).forEach((key, i) => {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') {
      node[key] = typeof path[i + 1] === 'number' ? [] : {};
    }
    node = node[key] as Record<string | number, Json>;
  });
  node[path[path.length - 1] as string | number] = value;
  return root;
}

export function deleteAt(root: PlanObject, path: PlanPath): PlanObject {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Json>;
  delete parent[path[path.length - 1] as string | number];
  return root;
}

/** Every path in the example plan (containers and leaves), excluding the root. */
function allPaths(value: Json, prefix: PlanPath = []): PlanPath[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, inner]) => [[...prefix, key], ...allPaths(inner, [...prefix, key])]);
}

const EXAMPLE_PATHS = allPaths(examplePlan());
/** Mappings of the example, root included: where an unknown key or a duplicate key can go. */
const MAPPING_PATHS: PlanPath[] = [[], ...EXAMPLE_PATHS.filter((p) => isPlainObject(getAt(examplePlan(), p)))];

function isPlainObject(value: Json): value is PlanObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** fast-check prints a failing case with this: what was spoiled, not the whole YAML text. */
function badPlan(plan: BadPlan): BadPlan {
  return Object.assign(plan, { [fc.toStringMethod]: () => `BadPlan(${plan.what}; expect ${plan.paths.join(' or ') || '(root)'})` });
}

const spoil = (what: string, edit: (plan: PlanObject) => void, paths: string[], mustName?: string): BadPlan => {
  const plan = examplePlan();
  edit(plan);
  return badPlan({ what, text: stringify(plan), paths, mustName });
};

/** Values of every JSON type, so one of another type than the original can be picked. */
const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer(), { maxKeys: 2 }),
);

/** A value of the wrong JSON type at any path of the example. */
export const wrongType: fc.Arbitrary<BadPlan> = fc
  .constantFrom(...EXAMPLE_PATHS)
  .chain((path) => {
    const original = jsonType(getAt(examplePlan(), path));
    return fc.tuple(
      fc.constant(path),
      anyJson.filter((v) => jsonType(v) !== original),
    );
  })
  .map(([path, value]) =>
    spoil(`${formatPath(path)} set to ${JSON.stringify(value)}`, (p) => setAt(p, path, value), [formatPath(path)], formatPath(path)),
  );

/**
 * Required fields of the example and the paths a refusal may name when each is gone: the field, and
 * the cross-checks that read it (a role's approvers are also what a gate or an owner needs).
 */
const REQUIRED: { path: PlanPath; also?: string[]; name?: string }[] = [
  { path: ['programme'] },
  { path: ['approvers'] },
  { path: ['approvers', 'lead'], also: ['stages.go-live.gate[0]'] },
  { path: ['approvers', 'engineering'], also: ['stages.go-live.gate[1]'] },
  ...(['ops', 'treasury', 'finance', 'cx', 'devops', 'analytics', 'compliance'] as const).map((role) => ({ path: ['approvers', role] })),
  { path: ['payca'] },
  { path: ['payca', 'sandbox'] },
  { path: ['payca', 'sandbox', 'baseUrl'] },
  { path: ['payca', 'production'] },
  { path: ['payca', 'production', 'baseUrl'] },
  { path: ['funding'] },
  { path: ['funding', 'minimums'] },
  // GBP itself is optional; the smoke test's currency needs it.
  { path: ['funding', 'minimums', 'GBP'], also: ['smokeTest.currency'], name: 'smokeTest.currency' },
  { path: ['webhook'] },
  { path: ['webhook', 'url'] },
  { path: ['webhook', 'events'] },
  { path: ['smokeTest'] },
  { path: ['smokeTest', 'accountId'] },
  { path: ['smokeTest', 'currency'] },
  { path: ['smokeTest', 'topUpAmount'] },
  { path: ['sandboxJobs', 0, 'kind'] },
  { path: ['sandboxJobs', 0, 'name'] },
  { path: ['sandboxJobs', 0, 'scheduleId'] },
  { path: ['sandboxJobs', 1, 'kind'] },
  { path: ['sandboxJobs', 1, 'disableUrl'] },
  { path: ['sandboxJobs', 1, 'enableUrl'] },
  { path: ['readiness', 'extraItems', 0, 'id'] },
  { path: ['readiness', 'extraItems', 0, 'title'] },
  { path: ['readiness', 'extraItems', 0, 'owner'] },
  { path: ['readiness', 'cicdEnv', 'sandboxFile'] },
  { path: ['readiness', 'cicdEnv', 'productionFile'] },
  { path: ['readiness', 'seedCards', 'csv'] },
  { path: ['readiness', 'expectedBins', 0, 'bin'] },
  { path: ['postLaunch', 'dashboards', 0, 'title'] },
  { path: ['postLaunch', 'dashboards', 1, 'url'] },
];

export const missingRequired: fc.Arbitrary<BadPlan> = fc
  .constantFrom(...REQUIRED)
  .map(({ path, also = [], name }) =>
    spoil(`${formatPath(path)} removed`, (p) => deleteAt(p, path), [formatPath(path), ...also], name ?? formatPath(path)),
  );

/** Durations that must be longer than zero, and stage offsets, which may be negative. */
const POSITIVE_DURATIONS: PlanPath[] = [
  ['approvalTimeout'],
  ['paycaRetryBudget'],
  ['webhook', 'deliveryTimeout'],
  ['stages', 'go-live', 'approvalTimeout'],
  ['stages', 'config-diff', 'approvalTimeout'],
  ['postLaunch', 'watch', 'window'],
  ['postLaunch', 'watch', 'interval'],
  ['postLaunch', 'watch', 'summaryEvery'],
  ['postLaunch', 'watch', 'segment'],
  ['postLaunch', 'remindBefore'],
];
const OFFSETS: PlanPath[] = STAGE_IDS.map((id) => ['stages', id, 'offset']);

const NOT_A_DURATION = fc.oneof(
  fc.constantFrom(
    '3 hours',
    '',
    ' ',
    'h',
    '12',
    '1x',
    '24 h',
    '1h 30m',
    '+-1h',
    'one hour',
    'PT1H',
    '1H',
    '\u22121h',
    '1e3h',
    '1.5.h',
    '367d',
    '100000d',
    '0.5ms',
    '1.0001s',
    `1${'0'.repeat(400)}h`,
    '99999999999999999999d',
  ),
  fc.string({ maxLength: 12 }).filter((s) => parseDuration(s) === undefined),
);
const NOT_POSITIVE = fc.constantFrom('-1h', '0s', '0h', '-0m', '-90m', '-1ms', '0d');

export const badDuration: fc.Arbitrary<BadPlan> = fc
  .oneof(
    fc.tuple(fc.constantFrom(...POSITIVE_DURATIONS), fc.oneof(NOT_A_DURATION, NOT_POSITIVE, fc.integer())),
    fc.tuple(fc.constantFrom(...OFFSETS), fc.oneof(NOT_A_DURATION, fc.integer())),
  )
  .map(([path, value]) =>
    spoil(
      `${formatPath(path)}: ${JSON.stringify(value)}`,
      (p) => setAt(p, path, value),
      [formatPath(path), ...crossChecked(path)],
      formatPath(path),
    ),
  );

/** The watch's durations are checked against each other (whole intervals per summary, reads per segment). */
function crossChecked(path: PlanPath): string[] {
  return path[0] === 'postLaunch' && path[1] === 'watch' ? ['interval', 'summaryEvery', 'segment'].map((k) => `postLaunch.watch.${k}`) : [];
}

const huge = fc.constantFrom(2 ** 53, 1e16, 1e300, Number.MAX_VALUE, Infinity);
const notFinite = fc.constantFrom(NaN, Infinity, -Infinity);
const fractional = fc.double({ min: 0.001, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x));
const negative = fc.oneof(fc.integer({ max: -1 }), fc.double({ max: -0.001, noNaN: true, noDefaultInfinity: true }));

/** Each numeric setting with numbers it must refuse: negative, zero where it must be positive, fractional, absurd. */
const NUMBERS: { path: PlanPath; bad: fc.Arbitrary<number> }[] = [
  ...[
    ['funding', 'minimums', 'GBP'],
    ['funding', 'minimums', 'EUR'],
    ['readiness', 'webhookTls', 'minDaysValid'],
    ['postLaunch', 'alerts', 'rateLimited', 'limit'],
    ['postLaunch', 'feeReconciliation', 'tolerance'],
    ['readiness', 'expectedBins', 0, 'issuanceFee', 'amount'],
  ].map((path) => ({ path, bad: fc.oneof(negative, fractional, huge, notFinite) })),
  ...[
    ['smokeTest', 'topUpAmount'],
    ['postLaunch', 'alerts', 'declineRate', 'minAuthorizations'],
  ].map((path) => ({
    path,
    bad: fc.oneof(fc.constant(0), negative, fractional, huge, notFinite),
  })),
  { path: ['readiness', 'seedCards', 'dryRunSample'], bad: fc.oneof(fc.constant(0), negative, fc.integer({ min: 51 }), fractional, huge) },
  ...[
    ['postLaunch', 'alerts', 'webhookFailureRate'],
    ['postLaunch', 'alerts', 'declineRate', 'margin'],
  ].map((path) => ({
    path,
    bad: fc.oneof(fc.constant(0), fc.constant(1), negative, fc.double({ min: 1, noNaN: true }), notFinite),
  })),
  {
    path: ['postLaunch', 'alerts', 'rateLimited', 'baselineFactor'],
    bad: fc.oneof(fc.constant(1), fc.double({ max: 1, noNaN: true }), notFinite),
  },
  { path: ['postLaunch', 'alerts', 'declineRate', 'baseline'], bad: fc.oneof(negative, fc.double({ min: 1.001, noNaN: true }), notFinite) },
  { path: ['readiness', 'expectedBins', 1, 'topupBps'], bad: fc.oneof(negative, notFinite) },
];

export const badNumber: fc.Arbitrary<BadPlan> = fc
  .constantFrom(...NUMBERS)
  .chain(({ path, bad }) => fc.tuple(fc.constant(path), bad))
  .map(([path, value]) => spoil(`${formatPath(path)}: ${value}`, (p) => setAt(p, path, value), [formatPath(path)], formatPath(path)));

/** Names that are never a role, stage, readiness item, currency or field of the schema: they hold an underscore. */
const junkName = fc.stringMatching(/^[a-z]{1,8}_[a-z0-9]{0,6}$/);
const person = fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/);

export const unknownName: fc.Arbitrary<BadPlan> = fc.oneof(
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((id) => !(STAGE_IDS as readonly string[]).includes(id)),
      fc.constantFrom('1h', '-2h'),
    )
    .map(([id, offset]) => spoil(`unknown stage ${id}`, (p) => setAt(p, ['stages', id], { offset }), [`stages.${id}`], `stages.${id}`)),
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/).filter((r) => !(ROLES as readonly string[]).includes(r)),
      person,
    )
    .map(([role, who]) =>
      spoil(`unknown role ${role}`, (p) => setAt(p, ['approvers', role], [who]), [`approvers.${role}`], `approvers.${role}`),
    ),
  fc
    .tuple(fc.constantFrom(...STAGE_IDS), junkName)
    .map(([stage, role]) =>
      spoil(`stage ${stage} gated by unknown role ${role}`, (p) => setAt(p, ['stages', stage, 'gate'], ['lead', role]), [
        `stages.${stage}.gate[1]`,
      ]),
    ),
  fc
    .tuple(fc.constantFrom(...STAGE_IDS), junkName)
    .map(([stage, role]) =>
      spoil(`stage ${stage} owned by unknown role ${role}`, (p) => setAt(p, ['stages', stage, 'owner'], role), [`stages.${stage}.owner`]),
    ),
  junkName.map((role) =>
    spoil(`extra item owned by unknown role ${role}`, (p) => setAt(p, ['readiness', 'extraItems', 0, 'owner'], role), [
      'readiness.extraItems[0].owner',
    ]),
  ),
  fc
    .stringMatching(/^[a-z][a-z0-9-]{0,12}$/)
    .map((id) =>
      spoil(`unknown readiness item ${id}`, (p) => setAt(p, ['readiness', 'items', `zz-${id}`], { optional: true }), [
        `readiness.items.zz-${id}`,
      ]),
    ),
  fc
    .tuple(fc.constantFrom(...MAPPING_PATHS), junkName, anyJson)
    .map(([path, key, value]) =>
      spoil(`unknown key ${key} under ${formatPath(path) || '(root)'}`, (p) => setAt(p, [...path, key], value), [
        formatPath([...path, key]),
      ]),
    ),
);

/** Writes the plan with one mapping key written twice, as a person pasting a block twice would. */
function withDuplicateKey(path: PlanPath, key: string, value: Json): string {
  const doc = new Document(examplePlan());
  const node = path.length ? doc.getIn(path, true) : doc.contents;
  if (!isMap(node)) throw new Error(`no mapping at ${formatPath(path)}`);
  node.items.push(doc.createPair(key, value));
  return String(doc);
}

export const duplicate: fc.Arbitrary<BadPlan> = fc.oneof(
  fc.tuple(fc.constantFrom(...STAGE_IDS), fc.constantFrom('1h', '-3h', '30m')).map(([stage, offset]) => {
    const plan = examplePlan();
    setAt(plan, ['stages', stage, 'offset'], offset);
    // The second block of a stage pasted twice is the one YAML refuses.
    const text = stringify(plan).replace(/^stages:\n/m, `stages:\n  ${stage}: { offset: ${offset} }\n`);
    return badPlan({ what: `stage ${stage} written twice`, text, paths: [`stages.${stage}`], mustName: `stages.${stage}` });
  }),
  fc
    .constantFrom(...MAPPING_PATHS.filter((p) => Object.keys(getAt(examplePlan(), p) as PlanObject).length > 0))
    .chain((path) => fc.tuple(fc.constant(path), fc.constantFrom(...Object.keys(getAt(examplePlan(), path) as PlanObject))))
    .map(([path, key]) =>
      badPlan({
        what: `${formatPath([...path, key])} written twice`,
        text: withDuplicateKey(path, key, getAt(examplePlan(), [...path, key])),
        paths: [formatPath([...path, key])],
        mustName: formatPath([...path, key]),
      }),
    ),
  fc.constant(
    spoil(
      'two sandbox jobs with one name',
      (p) => setAt(p, ['sandboxJobs', 1, 'name'], getAt(p, ['sandboxJobs', 0, 'name'])),
      ['sandboxJobs[1].name'],
      'sandboxJobs[1].name',
    ),
  ),
  fc.constant(
    spoil(
      'an extra item written twice',
      (p) =>
        (getAt(p, ['readiness', 'extraItems']) as Json[]).push(
          { ...(getAt(p, ['readiness', 'extraItems', 0]) as PlanObject), id: 'launch-pr' },
          { id: 'launch-pr', title: 'again', owner: 'lead' },
        ),
      ['readiness.extraItems[2].id'],
    ),
  ),
);

/** A role that gates a stage while the plan lists nobody in it. */
export const gateWithoutApprovers: fc.Arbitrary<BadPlan> = fc
  .tuple(fc.constantFrom(...ROLES.filter((r) => r !== 'lead')), fc.constantFrom(...STAGE_IDS))
  .map(([role, stage]) =>
    spoil(
      `${stage} gated by ${role} with no ${role} approvers`,
      (p) => {
        setAt(p, ['stages', stage, 'gate'], [role]);
        deleteAt(p, ['approvers', role]);
      },
      // Engineering already gates go-live in the example, so that gate is refused too.
      [`stages.${stage}.gate[0]`, `approvers.${role}`, ...(role === 'engineering' ? ['stages.go-live.gate[1]'] : [])],
      `stages.${stage}.gate[0]`,
    ),
  );

/** Post-launch settings that contradict each other, or values the watch cannot use. */
export const badPostLaunch: fc.Arbitrary<BadPlan> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 29 }))
    .filter(([i, , d]) => d % i !== 0)
    .map(([interval, k, delta]) =>
      spoil(
        `summaryEvery ${interval * k + delta}m not a whole number of ${interval}m intervals`,
        (p) =>
          Object.assign(getAt(p, ['postLaunch', 'watch']) as PlanObject, {
            interval: `${interval}m`,
            summaryEvery: `${interval * k + delta}m`,
          }),
        ['postLaunch.watch.summaryEvery', 'postLaunch.watch.segment', 'postLaunch.watch.interval'],
        'postLaunch.watch.summaryEvery',
      ),
    ),
  fc
    .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 59 }))
    .filter(([, d]) => d % 60 !== 0)
    .map(([k, delta]) =>
      spoil(
        `segment ${k * 60 + delta}m not a whole number of hourly summaries`,
        (p) => setAt(p, ['postLaunch', 'watch', 'segment'], `${k * 60 + delta}m`),
        ['postLaunch.watch.segment'],
        'postLaunch.watch.segment',
      ),
    ),
  fc.tuple(fc.constantFrom(1, 2, 5, 10), fc.integer({ min: 2, max: 10 })).map(([seconds, hours]) =>
    spoil(
      `a ${hours}h segment of ${seconds}s reads`,
      (p) =>
        Object.assign(getAt(p, ['postLaunch', 'watch']) as PlanObject, {
          interval: `${seconds}s`,
          summaryEvery: '1h',
          segment: `${hours}h`,
        }),
      ['postLaunch.watch.segment', 'postLaunch.watch.interval'],
      'postLaunch.watch.segment',
    ),
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z]{3}$|^[A-Z]{4,5}$|^[A-Z]{2}$/), fc.nat())
    .map(([currency, amount]) =>
      spoil(`lowBalance in currency ${currency}`, (p) => setAt(p, ['postLaunch', 'alerts', 'lowBalance'], { [currency]: amount }), [
        `postLaunch.alerts.lowBalance.${currency}`,
      ]),
    ),
  fc
    .integer({ max: -1 })
    .map((amount) =>
      spoil(`lowBalance of ${amount}`, (p) => setAt(p, ['postLaunch', 'alerts', 'lowBalance'], { GBP: amount }), [
        'postLaunch.alerts.lowBalance.GBP',
      ]),
    ),
  fc
    .tuple(
      fc.constantFrom(0, 1),
      fc.constantFrom('ftp://grafana.example/d/x', 'grafana/d/payca', 'javascript:alert(1)', '', 'http//x', 'mailto:ops@acme.example'),
    )
    .map(([i, url]) =>
      spoil(`dashboard url ${url}`, (p) => setAt(p, ['postLaunch', 'dashboards', i, 'url'], url), [`postLaunch.dashboards[${i}].url`]),
    ),
  fc
    .constantFrom(0, 1)
    .map((i) =>
      spoil('dashboard without a title', (p) => setAt(p, ['postLaunch', 'dashboards', i, 'title'], ''), [
        `postLaunch.dashboards[${i}].title`,
      ]),
    ),
  fc
    .constantFrom('gbp', 'POUND', '', 'G B', '£')
    .map((currency) =>
      spoil(`reconciliation currency ${currency}`, (p) => setAt(p, ['postLaunch', 'feeReconciliation', 'currency'], currency), [
        'postLaunch.feeReconciliation.currency',
      ]),
    ),
  fc
    .tuple(
      fc.constantFrom(
        ['postLaunch'],
        ['postLaunch', 'watch'],
        ['postLaunch', 'alerts'],
        ['postLaunch', 'alerts', 'declineRate'],
        ['postLaunch', 'feeReconciliation'],
      ),
      junkName,
    )
    .map(([path, key]) => spoil(`unknown post-launch setting ${key}`, (p) => setAt(p, [...path, key], '1h'), [formatPath([...path, key])])),
);

/** A production URL over plain http to a host that is not loopback, and not listed in payca.allowInsecureHosts. */
export const insecureTransport: fc.Arbitrary<BadPlan> = fc
  .tuple(
    fc.constantFrom<PlanPath>(['payca', 'production', 'baseUrl'], ['webhook', 'url']),
    fc.oneof(
      fc.domain(),
      fc.ipV4().filter((ip) => !ip.startsWith('127.')),
      fc.constantFrom('payca-production', 'payca-sim', '[2001:db8::1]'),
    ),
    fc.constantFrom('', ':4010', ':8443/payca/webhooks', '/v1'),
  )
  .map(([path, host, rest]) =>
    spoil(`${formatPath(path)} over http to ${host}`, (p) => setAt(p, path, `http://${host}${rest}`), [formatPath(path)], formatPath(path)),
  );

const BOMB =
  'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';

/** Offsets of the example's lines that hold a key (not comments or blank lines): junk there always breaks the YAML. */
const KEY_LINE_STARTS = [...EXAMPLE_TEXT.matchAll(/^ *[A-Za-z-]/gm)].map((m) => m.index);

/** Text that is not a plan: garbage, other YAML shapes, broken syntax, truncated or mangled copies of the example. */
export const notAPlan: fc.Arbitrary<BadPlan> = fc
  .oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(
      '',
      '   ',
      'just a sentence',
      '[1, 2',
      '{"programme":',
      '- a\n- b\n',
      '\t\tx: 1',
      'a: *nope',
      BOMB,
      'programme: [unclosed',
      '---\nprogramme: a\n---\nprogramme: b\n',
      '? [a\n',
      '42',
      'null',
      '~',
      '"quoted"',
      '{}',
      'programme: x\n  approvers: y\n',
    ),
    // Cut before the smoke test's amount, so something required is always missing.
    fc.integer({ min: 1, max: EXAMPLE_TEXT.indexOf('  topUpAmount') }).map((n) => EXAMPLE_TEXT.slice(0, n)),
    fc
      .tuple(fc.constantFrom(...KEY_LINE_STARTS), fc.constantFrom('\t', '[', '{', '"', '*x '))
      .map(([at, junk]) => EXAMPLE_TEXT.slice(0, at) + junk + EXAMPLE_TEXT.slice(at)),
  )
  .map((text) => badPlan({ what: `text ${JSON.stringify(text.slice(0, 60))}`, text, paths: [''], anywhere: true }));

/** Every kind of bad plan, for sampling through the CLI. */
export const anyBadPlan: fc.Arbitrary<BadPlan> = fc.oneof(
  wrongType,
  missingRequired,
  badDuration,
  badNumber,
  unknownName,
  duplicate,
  gateWithoutApprovers,
  badPostLaunch,
  insecureTransport,
  notAPlan,
);

/** A good edit: an approver renamed everywhere, a programme renamed, offsets, amounts and flags moved within bounds. */
export interface GoodPlan {
  what: string;
  text: string;
  check: (plan: CutoverPlan) => void;
}

export const goodEdit: fc.Arbitrary<GoodPlan> = fc
  .record({
    from: fc.constantFrom('lara', 'olivia', 'tomas', 'erin', 'eli', 'fiona', 'carlos', 'dana', 'anika', 'cole'),
    to: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/),
    programme: fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim().length > 0),
    offsetHours: fc.integer({ min: -48, max: -1 }),
    topUp: fc.integer({ min: 1, max: 1_000_000 }),
    optional: fc.boolean(),
  })
  .filter(
    ({ from, to }) => to !== from && !['lara', 'olivia', 'tomas', 'erin', 'eli', 'fiona', 'carlos', 'dana', 'anika', 'cole'].includes(to),
  )
  .map(({ from, to, programme, offsetHours, topUp, optional }) => {
    const plan = examplePlan();
    for (const people of Object.values(plan.approvers as Record<string, string[]>)) {
      people.forEach((who, i) => {
        if (who === from) people[i] = to;
      });
    }
    const identities = plan.people as Record<string, unknown> | undefined;
    if (identities?.[from]) {
      identities[to] = identities[from];
      delete identities[from];
    }
    plan.programme = programme;
    setAt(plan, ['stages', 'config-diff', 'offset'], `${offsetHours}h`);
    setAt(plan, ['smokeTest', 'topUpAmount'], topUp);
    setAt(plan, ['readiness', 'items', 'incident-rehearsal', 'optional'], optional);
    return {
      what: `${from} renamed ${to}, programme ${JSON.stringify(programme)}, config-diff at ${offsetHours}h, top-up ${topUp}`,
      text: stringify(plan),
      check: (loaded) => {
        const everyone = Object.values(loaded.approvers).flat();
        if (!everyone.includes(to) || everyone.includes(from)) throw new Error(`${from} was not renamed ${to}: ${everyone.join(', ')}`);
        if (loaded.programme !== programme) throw new Error(`programme is ${loaded.programme}`);
        if (loaded.stages.find((s) => s.id === 'config-diff')?.offsetMs !== offsetHours * 3_600_000) throw new Error('offset not applied');
        if (loaded.smokeTest.topUpAmount !== topUp) throw new Error('top-up not applied');
        if (loaded.readiness.items.find((i) => i.id === 'incident-rehearsal')?.optional !== optional)
          throw new Error('optional not applied');
      },
    };
  });

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { PlanInvalidError } from '../src/errors.js';
import { parsePlanText } from '../src/plan/load.js';
import { DEV_ROOM_SIGNING_KEY_FILE } from '../src/dev/defaults.js';
import { DEVELOPMENT_ROOM_PUBLIC_KEY_HEX } from '../src/signing/development-room-key.js';
import { readRoomSigningKey } from '../src/signing/room-key.js';
import { EXAMPLE_PLAN as EXAMPLE, runCli } from './helpers/cli.js';

const cutover = (args: string[]) => runCli(args);

type PlanEdit = (plan: Record<string, any>) => void;

/** Each bad plan: how the example is spoiled, and the problem path the refusal must name. */
const BAD_PLANS: { name: string; edit: PlanEdit; path: string; says: RegExp }[] = [
  {
    name: 'a duration that is not one',
    edit: (p) => (p.stages['config-diff'] = { offset: '24 hours' }),
    path: 'stages.config-diff.offset',
    says: /"24 hours" is not a duration/,
  },
  { name: 'an unknown stage', edit: (p) => (p.stages.launch = { offset: '1h' }), path: 'stages', says: /launch/ },
  { name: 'an unknown role', edit: (p) => (p.approvers.sales = ['sam']), path: 'approvers', says: /sales/ },
  { name: 'no programme lead', edit: (p) => delete p.approvers.lead, path: 'approvers', says: /programme lead/ },
  {
    name: 'a gate role with nobody in it',
    edit: (p) => {
      delete p.approvers.finance;
      p.stages['go-live'].gate = ['lead', 'finance'];
    },
    path: 'stages.go-live.gate[1]',
    says: /approvers\.finance lists nobody/,
  },
  {
    name: 'a readiness owner with nobody in it',
    edit: (p) => delete p.approvers.compliance,
    path: 'approvers.compliance',
    says: /readiness items kyc-aml-review, data-retention, business-continuity, legal-sign-off are owned by compliance/,
  },
  {
    name: 'an unknown readiness item',
    edit: (p) => (p.readiness.items['no-such-item'] = { optional: true }),
    path: 'readiness.items.no-such-item',
    says: /no runbook item "no-such-item"/,
  },
  {
    name: 'a URL that is not http(s)',
    edit: (p) => (p.payca.production.baseUrl = 'ftp://payca.example'),
    path: 'payca.production.baseUrl',
    says: /http\(s\) URL/,
  },
  {
    name: 'a production PayCA base URL over plain http to a remote host',
    edit: (p) => (p.payca.production.baseUrl = 'http://api.payca.example'),
    path: 'payca.production.baseUrl',
    says: /plain http to api\.payca\.example would send the production PayCA credentials unencrypted: write https:\/\/api\.payca\.example instead; http is allowed only for loopback/,
  },
  {
    name: 'a production webhook URL over plain http to a remote host',
    edit: (p) => (p.webhook.url = 'http://hooks.acme.example/payca'),
    path: 'webhook.url',
    says: /write https:\/\/hooks\.acme\.example\/payca instead; .*payca\.allowInsecureHosts/,
  },
  {
    name: 'a simulator host opt-in written as a URL',
    edit: (p) => (p.payca.allowInsecureHosts = ['http://payca-production:4010']),
    path: 'payca.allowInsecureHosts[0]',
    says: /a host name only, such as payca-sim/,
  },
  {
    name: 'two sandbox jobs with one name',
    edit: (p) => (p.sandboxJobs[1].name = p.sandboxJobs[0].name),
    path: 'sandboxJobs[1].name',
    says: /listed twice/,
  },
  {
    name: 'a summary period that is not a whole number of reads',
    edit: (p) => (p.postLaunch.watch.summaryEvery = '7m'),
    path: 'postLaunch.watch.summaryEvery',
    says: /must be a whole number of intervals/,
  },
  {
    name: 'a webhook failure rate written as a percentage',
    edit: (p) => (p.postLaunch.alerts.webhookFailureRate = 1),
    path: 'postLaunch.alerts.webhookFailureRate',
    says: /must be below 1 \(a fraction: 0\.01 is 1%\)/,
  },
  {
    name: 'a dashboard link that is not http(s)',
    edit: (p) => (p.postLaunch.dashboards[0].url = 'grafana/d/payca-launch'),
    path: 'postLaunch.dashboards[0].url',
    says: /must be an http\(s\) URL/,
  },
  {
    name: 'a go/no-go that one person would answer alone',
    edit: (p) => (p.approvers.engineering = ['lara']),
    path: 'stages.go-live.gate',
    says: /go-live needs 2 different people to approve as Programme lead and Engineering, but only lara is listed/,
  },
  {
    name: 'a public key that is not an Ed25519 key',
    edit: (p) => (p.signing = { publicKeys: { erin: 'not-a-key' } }),
    path: 'signing.publicKeys.erin',
    says: /is not an Ed25519 public key: paste the base64 line `cutover keygen` prints/,
  },
  {
    name: 'a public key for someone who approves nothing',
    edit: (p) => (p.signing = { publicKeys: { mallory: 'A'.repeat(43) + '=' } }),
    path: 'signing.publicKeys.mallory',
    says: /mallory is not in approvers/,
  },
  {
    name: 'signing required while approvers have no keys',
    edit: (p) => (p.signing = { required: true, publicKeys: { lara: 'A'.repeat(43) + '=' } }),
    path: 'signing.publicKeys',
    says: /signing.required is on but olivia, tomas, erin, eli, fiona, carlos, dana, anika, cole have no public key/,
  },
];

describe('cutover plan', function () {
  this.timeout(60_000);
  let dir: string;
  let example: Record<string, any>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-plan-'));
    example = parse(await readFile(EXAMPLE, 'utf8')) as Record<string, any>;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the example plan and summarises it', async () => {
    const result = await cutover(['plan', 'validate', EXAMPLE]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /is a valid plan: Acme Prepaid UK, go-live 2027-03-01T09:00:00Z, 7 stages/);
  });

  for (const bad of BAD_PLANS) {
    it(`refuses a plan with ${bad.name}, naming ${bad.path}`, async () => {
      const file = join(dir, `${bad.name.replace(/\W+/g, '-')}.yaml`);
      const plan = structuredClone(example);
      bad.edit(plan);
      await writeFile(file, stringify(plan));
      const result = await cutover(['plan', 'validate', file]);
      assert.equal(result.code, 1, result.stdout);
      assert.ok(result.stderr.includes(file), result.stderr);
      assert.ok(result.stderr.includes(`${bad.path}:`), `expected ${bad.path} in:\n${result.stderr}`);
      assert.match(result.stderr, bad.says);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('accepts plain http to loopback hosts and to the simulator hosts the plan opts in to, nowhere else', () => {
    for (const host of ['localhost', '127.0.0.1', '127.20.30.40', '[::1]']) {
      const plan = structuredClone(example);
      plan.payca.production.baseUrl = `http://${host}:4010`;
      plan.webhook.url = `http://${host}:4020/payca/webhooks`;
      assert.equal(parsePlanText(stringify(plan), 'loopback.yaml').payca.production.baseUrl, `http://${host}:4010`);
    }
    const compose = structuredClone(example);
    compose.payca = {
      production: { baseUrl: 'http://payca-production:4010' },
      sandbox: { baseUrl: 'http://payca-sandbox:4011' },
      allowInsecureHosts: ['payca-production'],
    };
    compose.webhook.url = 'http://webhook-receiver:4020/payca/webhooks';
    assert.throws(
      () => parsePlanText(stringify(compose), 'compose.yaml'),
      (err: PlanInvalidError) => {
        assert.deepEqual(
          err.problems.map((p) => p.path),
          ['webhook.url'],
          'the opt-in covers the hosts it names and no other',
        );
        return true;
      },
    );
    compose.payca.allowInsecureHosts.push('webhook-receiver');
    assert.deepEqual(parsePlanText(stringify(compose), 'compose.yaml').payca.allowInsecureHosts, ['payca-production', 'webhook-receiver']);
    for (const spoof of ['127.0.0.1.evil.example', '127.0.0.256', 'localhost.evil.example']) {
      const plan = structuredClone(example);
      plan.payca.production.baseUrl = `http://${spoof}`;
      assert.throws(() => parsePlanText(stringify(plan), 'spoof.yaml'), /payca\.production\.baseUrl/, spoof);
    }
  });

  it("keeps the plan's own watch.from and leaves a plan that does not say to the workflow's default", () => {
    const fromOf = (from: string | undefined) => {
      const plan = structuredClone(example);
      if (from === undefined) delete plan.postLaunch.watch.from;
      else plan.postLaunch.watch.from = from;
      return parsePlanText(stringify(plan), 'example.yaml').postLaunch.watch.fromGoLive;
    };
    assert.equal(fromOf('go-live'), true);
    assert.equal(fromOf('roll-forward'), false, 'the opt-out is kept, so the default cannot override it');
    assert.equal(fromOf(undefined), undefined, 'cutovers started before the default replay as they ran: the workflow decides');
  });

  it('accepts the development room key only while production PayCA is a simulator, since its private half is public', () => {
    assert.equal(
      readRoomSigningKey(DEV_ROOM_SIGNING_KEY_FILE).publicKeyHex,
      DEVELOPMENT_ROOM_PUBLIC_KEY_HEX,
      'the key file and the constant are one key',
    );
    assert.equal(
      parsePlanText(stringify(example), 'example.yaml').identity?.roomPublicKey,
      DEVELOPMENT_ROOM_PUBLIC_KEY_HEX,
      'the example pins the development key',
    );
    const real = structuredClone(example);
    real.payca.production.baseUrl = 'https://api.payca.example';
    assert.throws(
      () => parsePlanText(stringify(real), 'real.yaml'),
      (err: PlanInvalidError) => {
        const problem = err.problems.find((p) => p.path === 'identity.roomPublicKey');
        assert.match(
          problem?.message ?? '',
          /the development room's key, whose private half is in this repository .* pin your room's own key \(`cutover keygen --room`\)/,
        );
        return true;
      },
    );
    real.identity = { ...real.identity, roomPublicKey: '11'.repeat(32) };
    assert.equal(parsePlanText(stringify(real), 'real.yaml').identity?.roomPublicKey, '11'.repeat(32));
  });

  it('prints every problem as {code, path, message} with --json, and exits 1', async () => {
    const file = join(dir, 'json-problems.yaml');
    const plan = structuredClone(example);
    delete plan.programme;
    plan.approvalTimeout = 7;
    plan.funding.overdraft = true;
    plan.stages['go-live'].gate = ['lead', 'sales'];
    delete plan.approvers.finance;
    plan.stages['fee-reconciliation'] = { gate: ['finance'] };
    await writeFile(file, stringify(plan));
    const result = await cutover(['plan', 'validate', file, '--json']);
    assert.equal(result.code, 1, result.stdout);
    const answer = JSON.parse(result.stdout) as {
      file: string;
      valid: boolean;
      problems: { code: string; path: string; message: string }[];
    };
    assert.equal(answer.file, file);
    assert.equal(answer.valid, false);
    const byPath = new Map(answer.problems.map((p) => [p.path, p]));
    assert.equal(byPath.get('programme')?.code, 'PLAN_VALUE_MISSING', result.stdout);
    assert.equal(byPath.get('approvalTimeout')?.code, 'PLAN_WRONG_TYPE', result.stdout);
    assert.equal(byPath.get('funding')?.code, 'PLAN_UNKNOWN_KEY', result.stdout);
    assert.match(byPath.get('funding')?.message ?? '', /"overdraft": remove it, or use one of minimums/);
    assert.equal(byPath.get('stages.go-live.gate[1]')?.code, 'PLAN_VALUE_NOT_ALLOWED', result.stdout);
    assert.ok(
      answer.problems.every((p) => p.message.length > 0 && /^PLAN_[A-Z_]+$/.test(p.code)),
      result.stdout,
    );
    assert.match(result.stderr, /is not a valid cutover plan/, 'people still read the reason on stderr');

    const duplicate = join(dir, 'json-duplicate.yaml');
    await writeFile(duplicate, 'programme: A\nprogramme: B\n');
    const twice = JSON.parse((await cutover(['plan', 'validate', duplicate, '--json'])).stdout) as typeof answer;
    assert.deepEqual(
      twice.problems.map((p) => [p.code, p.path.split(',')[0]]),
      [['PLAN_YAML_DUPLICATE_KEY', 'programme']],
    );

    const missing = await cutover(['plan', 'validate', join(dir, 'no-such-plan.yaml'), '--json']);
    assert.equal(missing.code, 1);
    assert.equal((JSON.parse(missing.stdout) as typeof answer).problems[0]?.code, 'PLAN_NOT_FOUND');
  });

  it("prints a valid plan's stages as JSON with --json", async () => {
    const result = await cutover(['plan', 'validate', EXAMPLE, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const answer = JSON.parse(result.stdout) as {
      valid: boolean;
      programme: string;
      stages: { id: string; offset: string; gate: string[] }[];
    };
    assert.equal(answer.valid, true);
    assert.equal(answer.programme, 'Acme Prepaid UK');
    assert.deepEqual(
      answer.stages.find((stage) => stage.id === 'go-live'),
      { id: 'go-live', offset: 'T', owner: 'lead', gate: ['lead', 'engineering'] },
    );
  });

  it('refuses YAML that does not parse, naming the line and column', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'programme: [unclosed\napprovers:\n  lead: [lara]\n');
    const result = await cutover(['plan', 'validate', file]);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(file), result.stderr);
    assert.match(result.stderr, /line \d+, column \d+: YAML/);
  });

  it('refuses a file that is not a mapping', async () => {
    const file = join(dir, 'list.yaml');
    await writeFile(file, '- just\n- a list\n');
    const result = await cutover(['plan', 'validate', file]);
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(file), result.stderr);
    assert.match(result.stderr, /\(root\): the plan must be a YAML mapping/);
  });

  it('says which file is missing', async () => {
    const file = join(dir, 'nowhere.yaml');
    const result = await cutover(['plan', 'validate', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`plan file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
  });

  it('exits 2 with usage help when the file argument is missing', async () => {
    const result = await cutover(['plan', 'validate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing required argument 'file'/);
  });
});

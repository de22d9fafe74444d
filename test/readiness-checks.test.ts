/**
 * Readiness checks against the PayCA simulators over real HTTP and against env files on disk. Each check
 * must pass on a ready programme, fail for the reason a person would act on, and never hand back a secret.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { createPaycaClients } from '../src/activities/payca-clients.js';
import { createPaycaActivities } from '../src/activities/index.js';
import { ExpectedBin } from '../src/runbook/bins.js';
import { createCicdEnvActivities, parseEnvFile } from '../src/activities/readiness/cicd-env.js';
import type { PaycaCredentials } from '../src/payca/credentials.js';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';

/** The worker's environment as a deployment would set it. */
function workerEnv(pairs: { production?: PaycaCredentials; sandbox?: PaycaCredentials }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [environment, pair] of Object.entries(pairs)) {
    if (!pair) continue;
    env[`PAYCA_${environment.toUpperCase()}_CLIENT_ID`] = pair.clientId;
    env[`PAYCA_${environment.toUpperCase()}_CLIENT_SECRET`] = pair.clientSecret;
  }
  return env;
}

/** Readiness activities wired the way the worker wires them: one env feeds the clients and the checks. */
function activitiesFor(env: NodeJS.ProcessEnv) {
  return createPaycaActivities({ payca: createPaycaClients({ env, timeoutMs: 2_000 }), env });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${inspect(err)}`);
    return err;
  }
  assert.fail('expected the check to throw');
}

/** Everything a result or failure could show a person or put in history. */
function exposed(value: unknown): string {
  if (value instanceof Error) return `${value.message}\n${inspect(value, { depth: 5 })}\n${JSON.stringify(value)}`;
  return JSON.stringify(value);
}

function assertNoneOf(text: string, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `a secret value appears in: ${text}`);
}

function uniquePair(label: string): PaycaCredentials {
  return { clientId: `${label}-id-${randomUUID()}`, clientSecret: `${label}-secret-${randomUUID()}` };
}

describe('readiness: credentials', function () {
  let stack: PaycaStack;
  const extra: RunningSimulator[] = [];

  /** A production simulator that was issued `credentials` instead of the stack's pair. */
  async function productionIssued(credentials: PaycaCredentials): Promise<RunningSimulator> {
    const sim = await startSimulator({ mode: 'production', port: 0, credentials });
    extra.push(sim);
    return sim;
  }

  before(async () => {
    stack = await startPaycaStack();
  });
  afterEach(async () => {
    await stack.admin('faults', 'DELETE');
  });
  after(async () => {
    await Promise.all(extra.map((sim) => sim.close()));
    await stack?.close();
  });

  it('passes when production accepts the production pair and refuses the sandbox pair', async () => {
    const { checkProductionCredentials } = activitiesFor(workerEnv(stack.credentials));
    const result = await checkProductionCredentials({ productionBaseUrl: stack.production.url });
    assert.deepEqual(result.problems, []);
    assert.equal(result.passed, true);
    assert.equal(result.evidence.productionAccepted, true);
    assert.equal(result.evidence.sandboxRefusedByProduction, true);
    assert.match(result.evidence.productionRequestId ?? '', /\S/);
    assert.match(result.evidence.sandboxRequestId ?? '', /\S/);
    assert.notEqual(result.evidence.productionRequestId, result.evidence.sandboxRequestId);
  });

  it('names the variables to set when the worker holds no production credentials', async () => {
    const { checkProductionCredentials } = activitiesFor(workerEnv({ sandbox: stack.credentials.sandbox }));
    const result = await checkProductionCredentials({ productionBaseUrl: stack.production.url });
    assert.equal(result.passed, false);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0] ?? '', /PayCA production credentials are missing: set PAYCA_PRODUCTION_CLIENT_ID/);
    assert.equal(result.evidence.productionAccepted, false);
    assert.equal(result.evidence.productionRequestId, undefined);
    // The sandbox half still ran: missing production credentials do not hide a second problem.
    assert.equal(result.evidence.sandboxRefusedByProduction, true);
  });

  it('reports production credentials refused when PayCA production was issued a different pair', async () => {
    const reissued = await productionIssued(uniquePair('reissued'));
    const { checkProductionCredentials } = activitiesFor(workerEnv(stack.credentials));
    const result = await checkProductionCredentials({ productionBaseUrl: reissued.url });
    assert.equal(result.passed, false);
    assert.equal(result.problems.length, 1);
    const problem = result.problems[0] ?? '';
    assert.match(problem, /^production credentials refused: GET \/v2\/accounts at .* answered ErrUnauthorized \(HTTP 401\), request \S+/);
    assert.match(problem, /PAYCA_PRODUCTION_CLIENT_ID and PAYCA_PRODUCTION_CLIENT_SECRET/);
    assert.ok(problem.includes(result.evidence.productionRequestId ?? '<no request id>'));
    assert.equal(result.evidence.productionAccepted, false);
    assert.equal(result.evidence.sandboxRefusedByProduction, true);
  });

  it('reports sandbox credentials that work on production', async () => {
    // PayCA production mistakenly issued the sandbox pair: the worker's production pair is refused, and
    // the sandbox pair is accepted where it must not be.
    const leaky = await productionIssued({ ...stack.credentials.sandbox });
    const { checkProductionCredentials } = activitiesFor(workerEnv(stack.credentials));
    const result = await checkProductionCredentials({ productionBaseUrl: leaky.url });
    assert.equal(result.passed, false);
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0] ?? '', /^production credentials refused/);
    assert.match(result.problems[1] ?? '', /^sandbox credentials work on production: GET \/v2\/accounts at .* answered HTTP 200/);
    assert.equal(result.evidence.sandboxRefusedByProduction, false);
    assert.ok((result.problems[1] ?? '').includes(result.evidence.sandboxRequestId ?? '<no request id>'));
  });

  it('reports the sandbox pair working on production when both variables hold it', async () => {
    const leaky = await productionIssued({ ...stack.credentials.sandbox });
    const env = workerEnv({ production: stack.credentials.sandbox, sandbox: stack.credentials.sandbox });
    const result = await activitiesFor(env).checkProductionCredentials({ productionBaseUrl: leaky.url });
    assert.equal(result.evidence.productionAccepted, true);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0] ?? '', /^sandbox credentials work on production/);
  });

  it('does not judge credentials against a production URL that answers as sandbox', async () => {
    const { checkProductionCredentials } = activitiesFor(workerEnv(stack.credentials));
    const result = await checkProductionCredentials({ productionBaseUrl: stack.sandbox.url });
    assert.equal(result.passed, false);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0] ?? '', /answers GET \/health as sandbox, not production .* fix payca\.production\.baseUrl/);
  });

  it('throws a retryable failure when PayCA production is unavailable, so Temporal retries', async () => {
    await stack.admin('faults', 'POST', { force: { count: 1, code: 'ErrUnavailable', path: '/v2/accounts' } });
    const { checkProductionCredentials } = activitiesFor(workerEnv(stack.credentials));
    const failure = await failureOf(checkProductionCredentials({ productionBaseUrl: stack.production.url }));
    assert.equal(failure.type, 'ErrUnavailable');
    assert.equal(failure.nonRetryable, false);
  });

  it('never returns a credential value, in results or failures', async () => {
    const reissuedPair = uniquePair('reissued');
    const reissued = await productionIssued(reissuedPair);
    const leaky = await productionIssued({ ...stack.credentials.sandbox });
    const secrets = [stack.credentials.production, stack.credentials.sandbox, reissuedPair].flatMap((pair) => [
      pair.clientId,
      pair.clientSecret,
    ]);
    const full = activitiesFor(workerEnv(stack.credentials));
    const shown = [
      await full.checkProductionCredentials({ productionBaseUrl: stack.production.url }),
      await full.checkProductionCredentials({ productionBaseUrl: reissued.url }),
      await full.checkProductionCredentials({ productionBaseUrl: leaky.url }),
      await full.checkProductionCredentials({ productionBaseUrl: stack.sandbox.url }),
      await activitiesFor(workerEnv({ sandbox: stack.credentials.sandbox })).checkProductionCredentials({
        productionBaseUrl: stack.production.url,
      }),
    ].map(exposed);
    await stack.admin('faults', 'POST', { malformed: { count: 1, kind: 'wrong-shape', path: '/v2/accounts' } });
    shown.push(exposed(await failureOf(full.checkProductionCredentials({ productionBaseUrl: stack.production.url }))));
    for (const text of shown) assertNoneOf(text, secrets);
  });
});

describe('readiness: BIN catalogue', function () {
  let stack: PaycaStack;
  const plan: ExpectedBin[] = [
    {
      bin: '535522',
      network: 'Mastercard',
      currency: 'GBP',
      issuanceFee: { amount: 150, currency: 'GBP' },
      topupBps: 25,
      countries: ['GB'],
      mccBlocked: ['7995'],
    },
    {
      bin: '445566',
      network: 'visa',
      currency: 'EUR',
      issuanceFee: { amount: 120, currency: 'EUR' },
      topupBps: 30,
      countries: ['NL', 'ES', 'IE', 'FR', 'DE'],
      mccBlocked: ['6051', '7995'],
    },
  ];

  before(async () => {
    stack = await startPaycaStack();
  });
  afterEach(async () => {
    await stack.reset();
  });
  after(async () => {
    await stack?.close();
  });

  function compare(expected: ExpectedBin[]) {
    const { compareBinCatalogue } = activitiesFor(workerEnv(stack.credentials));
    return compareBinCatalogue({ productionBaseUrl: stack.production.url, expected });
  }

  it('passes when every BIN matches PayCA production, restrictions in any order', async () => {
    const result = await compare(plan);
    assert.deepEqual(result.problems, []);
    assert.equal(result.passed, true);
    assert.deepEqual(
      result.evidence.catalogue.map((b) => b.bin),
      ['535522', '445566'],
    );
    assert.deepEqual(result.evidence.notInPlan, []);
  });

  it("names each field that differs with PayCA's value and the plan's", async () => {
    const result = await compare([
      {
        bin: '535522',
        network: 'visa',
        currency: 'EUR',
        issuanceFee: { amount: 200, currency: 'GBP' },
        topupBps: 30,
        countries: ['GB', 'IE'],
        mccBlocked: ['6051'],
      },
    ]);
    assert.equal(result.passed, false);
    assert.deepEqual(result.problems, [
      'BIN 535522: network is mastercard at PayCA, the plan expects visa',
      'BIN 535522: currency is GBP at PayCA, the plan expects EUR',
      'BIN 535522: issuanceFee is 150 GBP at PayCA, the plan expects 200 GBP',
      'BIN 535522: topupBps is 25 at PayCA, the plan expects 30',
      'BIN 535522: countries is GB at PayCA, the plan expects GB, IE (PayCA lacks IE)',
      'BIN 535522: mccBlocked is 7995 at PayCA, the plan expects 6051 (PayCA also has 7995; PayCA lacks 6051)',
    ]);
    assert.deepEqual(result.evidence.notInPlan, ['445566']);
  });

  it('reports a BIN the plan expects that PayCA production does not list', async () => {
    const result = await compare([...plan, { bin: '411111', currency: 'GBP' }]);
    assert.equal(result.passed, false);
    assert.equal(result.problems.length, 1);
    assert.match(
      result.problems[0] ?? '',
      /^BIN 411111 is not in PayCA's production catalogue \(request \S+\): PayCA lists 535522, 445566$/,
    );
  });

  it('reads the catalogue from PayCA and keeps it with the request id', async () => {
    // A change made at PayCA after the plan was written: a new blocked MCC on the GBP BIN.
    const gbp = stack.production.state.bins.find((b) => b.bin === '535522');
    assert.ok(gbp);
    gbp.restrictions.mccBlocked.push('4829');
    const result = await compare(plan);
    assert.deepEqual(result.problems, ['BIN 535522: mccBlocked is 4829, 7995 at PayCA, the plan expects 7995 (PayCA also has 4829)']);
    assert.match(result.evidence.requestId, /\S/);
    assert.deepEqual(result.evidence.catalogue[0], {
      bin: '535522',
      network: 'mastercard',
      currency: 'GBP',
      fees: { issuance: { amount: 150, currency: 'GBP' }, topupBps: 25 },
      restrictions: { countries: ['GB'], mccBlocked: ['7995', '4829'] },
    });
  });

  it('throws a retryable failure that waits out Retry-After when PayCA rate-limits', async () => {
    await stack.admin('faults', 'POST', {
      force: { count: 1, code: 'ErrRateLimited', retryAfterSeconds: 2, path: '/v1/bins' },
    });
    const failure = await failureOf(compare(plan));
    assert.equal(failure.type, 'ErrRateLimited');
    assert.equal(failure.nonRetryable, false);
    assert.ok((failure.nextRetryDelay as number) >= 2_000, `nextRetryDelay ${String(failure.nextRetryDelay)}`);
  });

  it("validates the plan's BIN entries with the ExpectedBin schema", () => {
    assert.equal(ExpectedBin.safeParse(plan[0]).success, true);
    const wrong = ExpectedBin.safeParse({ bin: '5355', currency: 'gbp', topupBps: 25, fee: 1 });
    assert.equal(wrong.success, false);
    const paths = wrong.error?.issues.map((issue) => issue.path.join('.')).sort();
    assert.deepEqual(paths, ['', 'bin', 'currency']);
  });
});

describe('readiness: CI/CD environment files', function () {
  let dir: string;
  const { compareCicdEnvFiles } = createCicdEnvActivities();

  const sandboxEnv = [
    '# CI variables for the sandbox pipeline',
    'export API_BASE_URL=https://api.sandbox.payca.example',
    'DEPLOY_REGION="eu-west-2"',
    "FEATURE_FLAGS='cards,topups'  # same in both",
    '',
    'PAYCA_CLIENT_SECRET=sandbox-secret-value-1',
    'WEBHOOK_SIGNING_KEY="whsec_sandbox_abc"',
    'LOG_LEVEL = debug',
  ].join('\n');
  const productionEnv = [
    'export API_BASE_URL=https://api.payca.example',
    'DEPLOY_REGION=eu-west-2',
    'FEATURE_FLAGS="cards,topups"',
    'PAYCA_CLIENT_SECRET="production-secret-value-2"',
    'WEBHOOK_SIGNING_KEY=whsec_production_xyz',
    'LOG_LEVEL=debug # quieter later',
    '',
  ].join('\r\n');

  async function files(sandbox: string, production: string): Promise<{ sandboxFile: string; productionFile: string }> {
    const sandboxFile = join(dir, `sandbox-${randomUUID()}.env`);
    const productionFile = join(dir, `production-${randomUUID()}.env`);
    await writeFile(sandboxFile, sandbox);
    await writeFile(productionFile, production);
    return { sandboxFile, productionFile };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readiness-env-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes when values differ only on the allow-list and secrets are set in both', async () => {
    const result = await compareCicdEnvFiles({
      ...(await files(sandboxEnv, productionEnv)),
      allowedDifferences: ['API_BASE_URL'],
    });
    assert.deepEqual(result.problems, []);
    assert.equal(result.passed, true);
    assert.deepEqual(result.evidence.keys, [
      {
        key: 'API_BASE_URL',
        sandbox: 'https://api.sandbox.payca.example',
        production: 'https://api.payca.example',
        secret: false,
        allowed: true,
        status: 'differs',
      },
      { key: 'DEPLOY_REGION', sandbox: 'eu-west-2', production: 'eu-west-2', secret: false, allowed: false, status: 'same' },
      { key: 'FEATURE_FLAGS', sandbox: 'cards,topups', production: 'cards,topups', secret: false, allowed: false, status: 'same' },
      { key: 'LOG_LEVEL', sandbox: 'debug', production: 'debug', secret: false, allowed: false, status: 'same' },
      {
        key: 'PAYCA_CLIENT_SECRET',
        sandbox: 'set',
        production: 'set',
        secret: true,
        allowed: false,
        status: 'differs',
        workerCredentials: 'not-held',
      },
      { key: 'WEBHOOK_SIGNING_KEY', sandbox: 'set', production: 'set', secret: true, allowed: false, status: 'differs' },
    ]);
  });

  it('reports a value that differs outside the allow-list', async () => {
    const result = await compareCicdEnvFiles({ ...(await files(sandboxEnv, productionEnv)), allowedDifferences: [] });
    assert.equal(result.passed, false);
    assert.deepEqual(result.problems, [
      'API_BASE_URL differs: the sandbox file has "https://api.sandbox.payca.example", the production file has "https://api.payca.example"; make them equal, or add API_BASE_URL to allowedDifferences if that is intended',
    ]);
  });

  it('reports keys present in one file but not the other', async () => {
    const paths = await files(`${sandboxEnv}\nSANDBOX_SEED=42\n`, `${productionEnv}SENTRY_DSN=https://o1.ingest.example/7\n`);
    const result = await compareCicdEnvFiles({ ...paths, allowedDifferences: ['API_BASE_URL'] });
    assert.deepEqual(result.problems, [
      `SANDBOX_SEED is in the sandbox file but not in the production file ${paths.productionFile}: add it there, or add SANDBOX_SEED to allowedDifferences if that is intended`,
      `SENTRY_DSN is in the production file but not in the sandbox file ${paths.sandboxFile}: add it there, or add SENTRY_DSN to allowedDifferences if that is intended`,
    ]);
    const seed = result.evidence.keys.find((k) => k.key === 'SANDBOX_SEED');
    assert.deepEqual(seed, {
      key: 'SANDBOX_SEED',
      sandbox: '42',
      production: 'missing',
      secret: false,
      allowed: false,
      status: 'only-in-sandbox',
    });
  });

  it('shows secrets by state only and reports one left empty in production', async () => {
    const paths = await files(
      'DB_PASSWORD=sandbox-db-pass\nDATABASE_URL=postgres://app:sandbox-pw@db/app\nVENDOR_ID=vendor-sandbox-id\n',
      'DB_PASSWORD=\nDATABASE_URL=postgres://app:prod-pw@db/app\nVENDOR_ID=vendor-production-id\n',
    );
    const result = await compareCicdEnvFiles({ ...paths, allowedDifferences: [], secretKeys: ['VENDOR_ID'] });
    assert.deepEqual(result.problems, [
      'DB_PASSWORD (secret, value not shown) is set in the sandbox file but empty in the production file: give it a value, or add DB_PASSWORD to allowedDifferences if that is intended',
    ]);
    assert.deepEqual(
      result.evidence.keys.map((k) => [k.key, k.sandbox, k.production, k.secret, k.status]),
      [
        ['DATABASE_URL', 'set', 'set', true, 'differs'],
        ['DB_PASSWORD', 'set', 'empty', true, 'differs'],
        ['VENDOR_ID', 'set', 'set', true, 'differs'],
      ],
    );
  });

  it("fails a production file whose secret equals the sandbox file's, naming the key, even when the key may differ", async () => {
    const paths = await files(
      'PAYCA_CLIENT_SECRET=sandbox-secret-value-1\nWEBHOOK_SIGNING_KEY=whsec_shared\nPIN=1234\nDB_PASSWORD=\n',
      'PAYCA_CLIENT_SECRET="sandbox-secret-value-1"\nWEBHOOK_SIGNING_KEY=whsec_shared\nPIN=1234\nDB_PASSWORD=\n',
    );
    for (const allowedDifferences of [[], ['PAYCA_CLIENT_SECRET', 'WEBHOOK_SIGNING_KEY', 'PIN']]) {
      const result = await compareCicdEnvFiles({ ...paths, allowedDifferences, secretKeys: ['PIN'] });
      assert.equal(result.passed, false);
      assert.deepEqual(
        result.problems,
        ['PAYCA_CLIENT_SECRET', 'PIN', 'WEBHOOK_SIGNING_KEY'].map(
          (key) =>
            `${key} (secret, value not shown) has the same value in the production file as in the sandbox file: production needs its own secret; set the production value in ${paths.productionFile} or the pipeline's secret store`,
        ),
        'two empty secrets are alike but hold nothing to leak',
      );
      assertNoneOf(exposed(result), ['sandbox-secret-value-1', 'whsec_shared', '1234']);
      assert.doesNotMatch(exposed(result), /[0-9a-f]{32}|[A-Za-z0-9+/]{43,}={0,2}/, 'no digest of a secret either');
    }
  });

  it('checks the production client secret against the production credentials the worker holds, where it can tell', async () => {
    const held = {
      production: { clientId: 'acme-prod', clientSecret: 'held-production-secret' },
      sandbox: { clientId: 'acme-sbx', clientSecret: 'held-sandbox-secret' },
    };
    const { compareCicdEnvFiles: withWorker } = createCicdEnvActivities({ workerCredentials: (environment) => held[environment] });
    const { compareCicdEnvFiles: withoutWorker } = createCicdEnvActivities({ workerCredentials: () => undefined });
    const check = async (production: string, compare = withWorker, paycaClientSecretKey?: string) => {
      const key = paycaClientSecretKey ?? 'PAYCA_CLIENT_SECRET';
      const paths = await files(`${key}=other-sandbox-value\n`, `${key}=${production}\n`);
      const result = await compare({ ...paths, allowedDifferences: [], ...(paycaClientSecretKey && { paycaClientSecretKey }) });
      assertNoneOf(exposed(result), ['held-production-secret', 'held-sandbox-secret', 'a-stale-secret']);
      return { verdict: result.evidence.keys[0]?.workerCredentials, problems: result.problems };
    };
    const fix =
      "set it to the production client secret (the one in PAYCA_PRODUCTION_CLIENT_SECRET) in the production pipeline's secret store";
    assert.deepEqual(await check('held-production-secret'), { verdict: 'matches', problems: [] });
    assert.deepEqual(await check('a-stale-secret'), {
      verdict: 'differs',
      problems: [
        `PAYCA_CLIENT_SECRET (secret, value not shown) in the production file is not the PayCA production client secret this worker holds: ${fix}`,
      ],
    });
    assert.deepEqual(await check('held-sandbox-secret'), {
      verdict: 'is-sandbox-secret',
      problems: [
        `PAYCA_CLIENT_SECRET (secret, value not shown) in the production file is the PayCA sandbox client secret this worker holds: ${fix}`,
      ],
    });
    assert.deepEqual(await check('a-stale-secret', withWorker, 'PAYCA_CS'), {
      verdict: 'differs',
      problems: [
        `PAYCA_CS (secret, value not shown) in the production file is not the PayCA production client secret this worker holds: ${fix}`,
      ],
    });
    assert.deepEqual(
      await check('${{ secrets.PAYCA_CLIENT_SECRET }}'),
      { verdict: 'reference', problems: [] },
      'the pipeline resolves a reference',
    );
    assert.deepEqual(await check('${PAYCA_PRODUCTION_CLIENT_SECRET}'), { verdict: 'reference', problems: [] });
    const scoped = await files(
      'PAYCA_CLIENT_SECRET=${{ secrets.PAYCA_CLIENT_SECRET }}\n',
      'PAYCA_CLIENT_SECRET=${{ secrets.PAYCA_CLIENT_SECRET }}\n',
    );
    assert.deepEqual(
      (await withWorker({ ...scoped, allowedDifferences: [] })).problems,
      [],
      'one reference scoped per environment is not one secret',
    );
    assert.deepEqual(
      await check('a-stale-secret', withoutWorker),
      { verdict: 'not-held', problems: [] },
      'a worker without production credentials cannot tell',
    );
  });

  it('names the path and the reason of a file it cannot read, without throwing', async () => {
    const { sandboxFile } = await files(sandboxEnv, productionEnv);
    const productionFile = join(dir, 'no-such-production.env');
    const result = await compareCicdEnvFiles({ sandboxFile, productionFile, allowedDifferences: [] });
    assert.equal(result.passed, false);
    assert.deepEqual(result.problems, [
      `cannot read the production env file ${productionFile} (ENOENT: no such file): check the path in the plan and that the worker may read it`,
    ]);
    assert.deepEqual(result.evidence.keys, []);

    const directory = await compareCicdEnvFiles({ sandboxFile: dir, productionFile: sandboxFile, allowedDifferences: [] });
    assert.match(directory.problems[0] ?? '', new RegExp(`^cannot read the sandbox env file .* \\(EISDIR: it is a directory\\)`));
  });

  it('reports an unreadable file by permission when not running as root', async function () {
    if (process.getuid?.() === 0) this.skip();
    const { sandboxFile, productionFile } = await files(sandboxEnv, productionEnv);
    await chmod(productionFile, 0o000);
    const result = await compareCicdEnvFiles({ sandboxFile, productionFile, allowedDifferences: [] });
    assert.match(result.problems[0] ?? '', /\(EACCES: permission denied\)/);
  });

  it('names the file and line of a malformed line without quoting it', async () => {
    const paths = await files(
      'API_BASE_URL=https://a\nsk_live_pasted_by_mistake\n1BAD=x\nQUOTED="unterminated-value-xyz\n',
      "API_BASE_URL=https://a\nFLAG='on' trailing\nFLAG=off\n",
    );
    const result = await compareCicdEnvFiles({ ...paths, allowedDifferences: ['FLAG'] });
    assert.deepEqual(result.problems, [
      `sandbox file ${paths.sandboxFile} line 2: expected KEY=value but the line has no '='`,
      `sandbox file ${paths.sandboxFile} line 3: the key is not a variable name (letters, digits and _, not starting with a digit)`,
      `sandbox file ${paths.sandboxFile} line 4: the double quote opened here is never closed`,
      `production file ${paths.productionFile} line 2: unexpected text after the closing quote (put a comment after a #)`,
    ]);
    assertNoneOf(exposed(result), ['sk_live_pasted_by_mistake', 'unterminated-value-xyz', 'trailing']);
  });

  it('reads dotenv quoting: escapes, literal single quotes, # inside quotes, multi-line values, duplicates', () => {
    const parsed = parseEnvFile(
      [
        'A="line\\none \\"quoted\\" # not a comment"',
        "B='raw \\n $HOME # kept'",
        'C=plain value # comment',
        'D=',
        'E="-----BEGIN KEY-----',
        'abc',
        '-----END KEY-----"',
        'export F=1',
        'F=2',
      ].join('\n'),
      'test file',
    );
    assert.deepEqual(Object.fromEntries(parsed.values), {
      A: 'line\none "quoted" # not a comment',
      B: 'raw \\n $HOME # kept',
      C: 'plain value',
      D: '',
      E: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
      F: '2',
    });
    assert.deepEqual(parsed.problems, ['test file line 9: F is set again (first on line 8); keep one so the file has a single value']);
  });

  it('never returns a secret value, whichever way the files differ', async () => {
    const secrets = [
      'sandbox-secret-value-1',
      'production-secret-value-2',
      'whsec_sandbox_abc',
      'whsec_production_xyz',
      's3cr3t-pw',
      'tok-123',
    ];
    const paths = await files(
      `${sandboxEnv}\nONLY_SANDBOX_TOKEN=tok-123\nDATABASE_URL=postgres://u:s3cr3t-pw@h/db\n`,
      'PAYCA_CLIENT_SECRET=\nWEBHOOK_SIGNING_KEY=whsec_production_xyz\nDATABASE_URL=postgres://u:other@h/db\n',
    );
    const results = [
      await compareCicdEnvFiles({ ...paths, allowedDifferences: [] }),
      await compareCicdEnvFiles({ ...paths, allowedDifferences: ['PAYCA_CLIENT_SECRET', 'WEBHOOK_SIGNING_KEY', 'DATABASE_URL'] }),
      await compareCicdEnvFiles({ sandboxFile: paths.productionFile, productionFile: paths.sandboxFile, allowedDifferences: [] }),
    ];
    assert.ok(results[0]?.problems.some((p) => p.startsWith('PAYCA_CLIENT_SECRET (secret, value not shown) is set')));
    for (const result of results) assertNoneOf(exposed(result), secrets);
  });
});

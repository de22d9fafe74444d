/**
 * Mocha root hooks: keep the SDK's own logging to warnings that matter, so a failing test's output is
 * readable. Activity failures the tests provoke on purpose (429s, outages) are logged by the SDK at WARN.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({
  logger: new DefaultLogger(process.env.CUTOVER_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR'),
  telemetryOptions: { logging: { forward: {}, filter: 'ERROR' } },
});

/**
 * The least a worker process can do before its first poll with this project's prebuilt bundle: load the SDK,
 * connect, create one workflow worker, run. Benchmark 3 starts it beside `cutover worker` so the gap between
 * the two is what the project's own start-up costs, and the rest is the SDK's and the machine's.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from '../../src/worker/paths.js';
import { CUTOVER_TASK_QUEUE } from '../../src/workflows/messages.js';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const worker = await Worker.create({ connection, taskQueue: CUTOVER_TASK_QUEUE, workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } });
  process.once('SIGTERM', () => worker.shutdown());
  console.log('minimal worker polling');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

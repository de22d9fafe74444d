/**
 * The `cutover` queue's activities by name, known before their code loads. The workflow worker registers
 * them at once and runs each once the code has loaded, so it polls the queue's activities itself: the
 * server then hands an activity a workflow task schedules straight back in that task's completion (eager
 * dispatch) instead of matching it to another worker, which is most of an approval's round trip.
 * Type-only imports: nothing here loads the activity code.
 */
import type { CutoverActivities } from '../activities/index.js';
import type { createWatchMetricsActivities } from '../activities/post-launch/watch-metrics.js';
import { CutoverError } from '../errors.js';

/** The watch's reads also run here: as local activities (`paycaLocalReads`), and as ordinary ones. */
export type CutoverQueueActivities = CutoverActivities & ReturnType<typeof createWatchMetricsActivities>;

export const CUTOVER_QUEUE_ACTIVITY_NAMES = [
  'pauseSandboxJobs',
  'restoreSandboxJobs',
  'notify',
  'emailChannelWarnings',
  'compareCicdEnvFiles',
  'checkWebhookTls',
  'takeDashboardShots',
  'httpCheck',
  'readWatchMetrics',
  'readWatchMetricsWindows',
] as const satisfies readonly (keyof CutoverQueueActivities)[];

/** Refuses activity code whose names differ from the list, so no activity goes unregistered. */
export function checkCutoverQueueNames(activities: object): void {
  const listed = new Set<string>(CUTOVER_QUEUE_ACTIVITY_NAMES);
  const given = Object.keys(activities);
  const unlisted = given.filter((name) => !listed.has(name));
  const missing = [...listed].filter((name) => !given.includes(name));
  if (unlisted.length || missing.length) {
    throw new CutoverError(
      'CONFIG_INVALID',
      `the cutover queue's activities differ from CUTOVER_QUEUE_ACTIVITY_NAMES (src/worker/cutover-queue-activities.ts): ` +
        [unlisted.length ? `not listed: ${unlisted.join(', ')}` : '', missing.length ? `listed but absent: ${missing.join(', ')}` : '']
          .filter(Boolean)
          .join('; '),
    );
  }
}

type AnyActivity = (...args: unknown[]) => Promise<unknown>;

/** Every listed activity, each calling the loaded code once it is there; one scheduled before then waits. */
export function activitiesOnceLoaded(code: Promise<CutoverQueueActivities>): Record<string, AnyActivity> {
  return Object.fromEntries(
    CUTOVER_QUEUE_ACTIVITY_NAMES.map((name) => [
      name,
      async (...args: unknown[]) => {
        const loaded = await code;
        return (loaded[name] as unknown as AnyActivity).apply(loaded, args);
      },
    ]),
  );
}

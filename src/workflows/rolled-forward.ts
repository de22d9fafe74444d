/**
 * Whether a cutover has rolled forward. A watch once meant it had; a watch from go-live (the plan's
 * watch.from) runs during the timeline too, so it counts only with the lead's roll-forward decision.
 */
import type { CutoverStatus } from './cutover-state.js';

export const hasRolledForward = (status: Pick<CutoverStatus, 'watch' | 'decision'>): boolean =>
  status.watch !== undefined && (!status.watch.fromGoLive || status.decision?.decision === 'roll-forward');

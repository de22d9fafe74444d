/** Times as people read them in a cutover: UTC, to the second, no milliseconds; planned times in the plan's zone. */
export { goLiveText, plannedHeading, plannedTime, shortTime } from '../../plan/zoned-time.js';

/**
 * The demo's clock: go-live 25 hours out, run 1500× faster, so T-24h to T+2h takes about a minute and the
 * watch to T+24h about another. Much faster and the watch's 5-minute reads fall behind the plan clock.
 */
export const DEMO_GO_LIVE_IN_MS = 25 * 3_600_000;
export const DEMO_TIME_SCALE = 1500;

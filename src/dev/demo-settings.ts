/** The demo's clock: go-live 25 hours out, run 750× faster, so T-24h to T+2h takes about two minutes. */
export const DEMO_GO_LIVE_IN_MS = 25 * 3_600_000;
export const DEMO_TIME_SCALE = 750;

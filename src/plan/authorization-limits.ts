/**
 * The go-live gate's limits for the real low-risk authorization when a plan sets none: 1,000 minor units
 * (£10.00) and two hours, the runbook's change window. Its own module, free of imports, because the
 * workflow applies the defaults to plans started before the setting existed.
 */
export const DEFAULT_AUTHORIZATION_LIMITS = { maxAmount: 1_000, maxAgeMs: 2 * 60 * 60_000 } as const;

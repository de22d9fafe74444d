/**
 * The world both simulator modes start from. Sandbox and production share everything except
 * `environmentLabel`, so a config diff that allow-lists that key finds nothing unexpected.
 */
import type { Account, Bin, SettingValue, SimulatorMode } from './state.js';

export function initialAccounts(): Account[] {
  return [
    { id: 'acc_gbp_main', currency: 'GBP', balance: 5_000_000, available: 5_000_000, status: 'active' },
    { id: 'acc_eur_main', currency: 'EUR', balance: 2_000_000, available: 2_000_000, status: 'active' },
  ];
}

export function initialBins(): Bin[] {
  return [
    {
      bin: '535522',
      network: 'mastercard',
      currency: 'GBP',
      fees: { issuance: { amount: 150, currency: 'GBP' }, topupBps: 25 },
      restrictions: { countries: ['GB'], mccBlocked: ['7995'] },
    },
    {
      bin: '445566',
      network: 'visa',
      currency: 'EUR',
      fees: { issuance: { amount: 120, currency: 'EUR' }, topupBps: 30 },
      restrictions: { countries: ['DE', 'FR', 'IE', 'NL', 'ES'], mccBlocked: ['7995', '6051'] },
    },
  ];
}

export function initialSettings(mode: SimulatorMode): Record<string, SettingValue> {
  return {
    programName: 'Northwind Prepaid',
    apiVersion: '2024-06-01',
    cardProduct: 'prepaid-virtual',
    defaultCurrency: 'GBP',
    supportedCurrencies: 'GBP,EUR',
    threeDSecure: 'required',
    dailyLoadLimit: 500_000,
    webhookSigningAlgorithm: 'hmac-sha256',
    environmentLabel: mode,
  };
}

/** Jobs that exist before anyone touches them; others appear on first use. */
export function initialJobs(): string[] {
  return ['sandbox-synthetic-traffic', 'sandbox-nightly-reset'];
}

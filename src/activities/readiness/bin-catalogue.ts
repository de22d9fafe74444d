/**
 * Readiness, runbook section 3 (Ops): import PayCA's production BIN catalogue and confirm each BIN the
 * plan relies on has the fees, currency and restrictions the programme was priced and approved with.
 * Differences come back as problems for the item's owner; PayCA faults are thrown for Temporal to retry.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { paycaCall } from '../../payca/activity-failure.js';
import type { Bin } from '../../payca/schemas.js';
import type { ExpectedBin } from '../../runbook/bins.js';
import type { PaycaClients } from '../payca-clients.js';

export interface BinCatalogueInput {
  productionBaseUrl: string;
  expected: ExpectedBin[];
}

/** A catalogue entry as imported: the contract's fields only, so history holds no more than was compared. */
export interface ImportedBin {
  bin: string;
  network: string;
  currency: string;
  fees: { issuance: { amount: number; currency: string }; topupBps: number };
  restrictions: { countries: string[]; mccBlocked: string[] };
}

export interface BinCatalogueEvidence {
  requestId: string;
  catalogue: ImportedBin[];
  /** BINs PayCA lists that the plan does not mention: kept for the record, not a problem. */
  notInPlan: string[];
}

export interface BinCatalogueResult {
  passed: boolean;
  problems: string[];
  evidence: BinCatalogueEvidence;
}

/** The activity's cancellation signal, or none when called outside an activity (tests, scripts). */
function activitySignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

function imported(bin: Bin): ImportedBin {
  return {
    bin: bin.bin,
    network: bin.network,
    currency: bin.currency,
    fees: {
      issuance: { amount: bin.fees.issuance.amount, currency: bin.fees.issuance.currency },
      topupBps: bin.fees.topupBps,
    },
    restrictions: { countries: [...bin.restrictions.countries], mccBlocked: [...bin.restrictions.mccBlocked] },
  };
}

function listed(values: string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

/** Order-insensitive set comparison; the message says what is extra and what is lacking at PayCA. */
function compareSet(bin: string, field: string, actual: string[], expected: string[]): string | null {
  const actualSet = new Set(actual);
  const expectedSet = new Set(expected);
  const extra = [...actualSet].filter((v) => !expectedSet.has(v)).sort();
  const lacking = [...expectedSet].filter((v) => !actualSet.has(v)).sort();
  if (extra.length === 0 && lacking.length === 0) return null;
  const details = [
    extra.length > 0 ? `PayCA also has ${listed(extra)}` : '',
    lacking.length > 0 ? `PayCA lacks ${listed(lacking)}` : '',
  ].filter((d) => d !== '');
  return `BIN ${bin}: ${field} is ${listed([...actualSet].sort())} at PayCA, the plan expects ${listed([...expectedSet].sort())} (${details.join('; ')})`;
}

function compareBin(actual: ImportedBin, expected: ExpectedBin): string[] {
  const problems: string[] = [];
  const bin = expected.bin;
  const differs = (field: string, at: string | number, wanted: string | number) =>
    problems.push(`BIN ${bin}: ${field} is ${at} at PayCA, the plan expects ${wanted}`);

  // Networks are names people type in either case ("Visa", "visa"); everything else is a code.
  if (expected.network !== undefined && expected.network.toLowerCase() !== actual.network.toLowerCase()) {
    differs('network', actual.network, expected.network);
  }
  if (expected.currency !== actual.currency) differs('currency', actual.currency, expected.currency);
  const fee = actual.fees.issuance;
  if (
    expected.issuanceFee !== undefined &&
    (expected.issuanceFee.amount !== fee.amount || expected.issuanceFee.currency !== fee.currency)
  ) {
    differs('issuanceFee', `${fee.amount} ${fee.currency}`, `${expected.issuanceFee.amount} ${expected.issuanceFee.currency}`);
  }
  if (expected.topupBps !== undefined && expected.topupBps !== actual.fees.topupBps) {
    differs('topupBps', actual.fees.topupBps, expected.topupBps);
  }
  for (const field of ['countries', 'mccBlocked'] as const) {
    const wanted = expected[field];
    if (wanted === undefined) continue;
    const problem = compareSet(bin, field, actual.restrictions[field], wanted);
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

export function createBinCatalogueActivities({ payca }: { payca: PaycaClients }) {
  return {
    async compareBinCatalogue(input: BinCatalogueInput): Promise<BinCatalogueResult> {
      const signal = activitySignal();
      const answer = await paycaCall(() => payca.get('production', input.productionBaseUrl).listBins({ signal }));
      const catalogue = answer.body.data.map(imported);
      const problems: string[] = [];

      const byBin = new Map<string, ImportedBin>();
      const duplicated = new Set<string>();
      for (const entry of catalogue) {
        if (byBin.has(entry.bin)) duplicated.add(entry.bin);
        else byBin.set(entry.bin, entry);
      }
      // Two entries for one BIN leave its fees ambiguous; only PayCA can say which one applies.
      for (const bin of duplicated) {
        problems.push(
          `BIN ${bin} appears more than once in PayCA's catalogue (request ${answer.requestId}): ask PayCA which entry applies`,
        );
      }

      if (input.expected.length === 0) {
        problems.push("the plan lists no BINs, so nothing confirms the catalogue: add the programme's BINs to the plan");
      }
      const seen = new Set<string>();
      for (const expected of input.expected) {
        if (seen.has(expected.bin)) {
          problems.push(`BIN ${expected.bin} is listed more than once in the plan: keep one entry`);
          continue;
        }
        seen.add(expected.bin);
        const actual = byBin.get(expected.bin);
        if (actual === undefined) {
          problems.push(
            `BIN ${expected.bin} is not in PayCA's production catalogue (request ${answer.requestId}): PayCA lists ${listed([...byBin.keys()])}`,
          );
          continue;
        }
        problems.push(...compareBin(actual, expected));
      }

      return {
        passed: problems.length === 0,
        problems,
        evidence: {
          requestId: answer.requestId,
          catalogue,
          notInPlan: [...byBin.keys()].filter((bin) => !seen.has(bin)),
        },
      };
    },
  };
}

/** T-24h (Ops): PayCA programme settings in sandbox against production. */
import { Context } from '@temporalio/activity';
import { paycaCall } from '../payca/activity-failure.js';
import type { PaycaClients } from './payca-clients.js';

export interface ConfigDiffInput {
  sandboxBaseUrl: string;
  productionBaseUrl: string;
  allowedDifferences: string[];
}

export interface ConfigDifference {
  key: string;
  sandbox: unknown;
  production: unknown;
  allowed: boolean;
}

export interface ConfigDiffResult {
  keysCompared: number;
  differences: ConfigDifference[];
  /** Keys that differ and are not on the plan's allow-list: each one holds the stage for Ops. */
  unexpected: string[];
  requestIds: { sandbox: string; production: string };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function createConfigDiffActivities({ payca }: { payca: PaycaClients }) {
  return {
    async diffProgramConfig(input: ConfigDiffInput): Promise<ConfigDiffResult> {
      const signal = Context.current().cancellationSignal;
      const [sandbox, production] = await Promise.all([
        paycaCall(() => payca.get('sandbox', input.sandboxBaseUrl).getProgramConfig({ signal })),
        paycaCall(() => payca.get('production', input.productionBaseUrl).getProgramConfig({ signal })),
      ]);
      const allowed = new Set(input.allowedDifferences);
      const keys = [...new Set([...Object.keys(sandbox.body.settings), ...Object.keys(production.body.settings)])].sort();
      const differences = keys
        .filter((key) => !same(sandbox.body.settings[key], production.body.settings[key]))
        .map((key) => ({
          key,
          sandbox: sandbox.body.settings[key] ?? null,
          production: production.body.settings[key] ?? null,
          allowed: allowed.has(key),
        }));
      return {
        keysCompared: keys.length,
        differences,
        unexpected: differences.filter((d) => !d.allowed).map((d) => d.key),
        requestIds: { sandbox: sandbox.requestId, production: production.requestId },
      };
    },
  };
}

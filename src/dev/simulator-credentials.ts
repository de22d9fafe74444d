/**
 * Which credentials the local simulators accept. When the environment already holds PAYCA_* credentials
 * (say, a team's shared fake pair) the simulators take those, so a worker started elsewhere from the
 * same environment agrees with them; otherwise the simulators' defaults apply. The in-process worker is
 * handed the same pair directly, so nothing here writes to process.env (child processes stay unaffected).
 */
import { loadPaycaCredentials, type PaycaEnvironment } from '../payca/credentials.js';
import { DEFAULT_SIM_CREDENTIALS, type SimulatorCredentials } from '../simulator/server.js';

export interface ChosenCredentials {
  credentials: SimulatorCredentials;
  /** True when they came from the environment: then they are not printed. */
  fromEnvironment: boolean;
}

function mentionedInEnvironment(environment: PaycaEnvironment, env: NodeJS.ProcessEnv): boolean {
  const prefix = `PAYCA_${environment.toUpperCase()}`;
  return [`${prefix}_CLIENT_ID`, `${prefix}_CLIENT_SECRET`].some((name) => !!env[name]?.trim() || !!env[`${name}_FILE`]?.trim());
}

export function chooseSimulatorCredentials(environment: PaycaEnvironment, env: NodeJS.ProcessEnv = process.env): ChosenCredentials {
  if (mentionedInEnvironment(environment, env)) {
    const loaded = loadPaycaCredentials(environment, env);
    return { credentials: { clientId: loaded.clientId, clientSecret: loaded.clientSecret }, fromEnvironment: true };
  }
  return { credentials: { ...DEFAULT_SIM_CREDENTIALS[environment] }, fromEnvironment: false };
}

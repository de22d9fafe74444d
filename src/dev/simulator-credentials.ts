/**
 * Which credentials the local simulators accept. When the environment already holds PAYCA_* credentials
 * (say, a team's shared fake pair) the simulator takes those, so the worker and the simulator agree;
 * otherwise the simulator's defaults are used and put into the environment for the in-process worker.
 */
import { loadPaycaCredentials, type PaycaEnvironment } from '../payca/credentials.js';
import { DEFAULT_SIM_CREDENTIALS, type SimulatorCredentials } from '../simulator/server.js';

export interface ChosenCredentials {
  credentials: SimulatorCredentials;
  /** True when they came from the environment: then they are not printed. */
  fromEnvironment: boolean;
}

function variables(environment: PaycaEnvironment): { id: string; secret: string } {
  const prefix = `PAYCA_${environment.toUpperCase()}`;
  return { id: `${prefix}_CLIENT_ID`, secret: `${prefix}_CLIENT_SECRET` };
}

function setInEnvironment(env: NodeJS.ProcessEnv, names: { id: string; secret: string }): boolean {
  return [names.id, names.secret].some((name) => !!env[name]?.trim() || !!env[`${name}_FILE`]?.trim());
}

export function chooseSimulatorCredentials(
  environment: PaycaEnvironment,
  env: NodeJS.ProcessEnv = process.env,
): ChosenCredentials {
  const names = variables(environment);
  if (setInEnvironment(env, names)) {
    const loaded = loadPaycaCredentials(environment, env);
    return { credentials: { clientId: loaded.clientId, clientSecret: loaded.clientSecret }, fromEnvironment: true };
  }
  const credentials = { ...DEFAULT_SIM_CREDENTIALS[environment] };
  env[names.id] = credentials.clientId;
  env[names.secret] = credentials.clientSecret;
  return { credentials, fromEnvironment: false };
}

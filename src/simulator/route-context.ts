/** What a PayCA route handler gets: the world, the clock, the webhook sender and the parsed request. */
import type { SimResponse } from './http-io.js';
import type { SimulatorState } from './state.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface RouteContext {
  state: SimulatorState;
  webhooks: WebhookDispatcher;
  now: () => Date;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON; `{}` when the request had no body. */
  body: unknown;
}

export interface PaycaRoute {
  handle: (context: RouteContext) => SimResponse | Promise<SimResponse>;
  /** Answered without credentials or rate limiting (only `GET /health`). */
  public?: boolean;
}

export function param(context: RouteContext, name: string): string {
  return context.params[name] ?? '';
}

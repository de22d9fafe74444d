/**
 * `GET /_sim/dashboard`: a small dashboard page over the simulator's own figures, so the demo and the tests
 * have a real page for the worker to screenshot. `?fail=503` answers that status instead, standing in for
 * a dashboard that is down.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml } from '../net/html.js';
import { countersSnapshot, type SimulatorState } from './state.js';

function tile(label: string, value: number | string): string {
  return `<div class="tile"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(String(value))}</div></div>`;
}

export function dashboardPage(state: SimulatorState, now: Date): string {
  const counters = countersSnapshot(state);
  const approved = state.authorizations.filter((a) => a.status === 'approved').length;
  const declined = state.authorizations.length - approved;
  const tiles = [
    tile('Authorizations approved', approved),
    tile('Authorizations declined', declined),
    tile('Cards issued', counters.cardsIssued),
    tile('Top-ups', counters.topUps),
    tile('Webhook deliveries ok', counters.webhookDeliveries.succeeded),
    tile('Webhook deliveries failed', counters.webhookDeliveries.failed),
    tile('ErrRateLimited answers', counters.answersByCode.ErrRateLimited ?? 0),
    tile('Requests', counters.requests),
  ];
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PayCA simulator dashboard</title>' +
    '<style>body{font:15px system-ui,sans-serif;margin:24px;background:#10161d;color:#e8edf2}h1{font-size:20px}' +
    '.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}.tile{background:#1b2530;border-radius:6px;padding:14px}' +
    '.label{color:#9fb0c0;font-size:13px}.value{font-size:28px;font-weight:600;margin-top:6px}</style></head>' +
    `<body><h1>PayCA ${escapeHtml(state.mode)} simulator</h1><p>as of ${escapeHtml(now.toISOString())}</p><div class="grid">${tiles.join('')}</div></body></html>`
  );
}

/** Answers the page, or the status `?fail=` asks for. */
export function writeDashboardPage(res: ServerResponse, url: URL, state: SimulatorState, now: Date): void {
  const fail = Number(url.searchParams.get('fail'));
  const status = Number.isInteger(fail) && fail >= 400 && fail <= 599 ? fail : 200;
  const body =
    status === 200 ? dashboardPage(state, now) : `<!doctype html><title>${status}</title><p>dashboard unavailable (${status})</p>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

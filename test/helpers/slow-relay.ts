/**
 * An HTTP relay that answers every request a fixed time late, by forwarding it to a target once the delay
 * is over. Pointed at a plan's sandbox job URLs, it keeps the T-2h pause in flight long enough for a test
 * to kill the worker in the middle of it.
 */
import { createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { listen, type Listening } from '../../src/net/listen.js';

export async function startSlowRelay(target: string, delayMs: number): Promise<Listening> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        await delay(delayMs);
        try {
          const answer = await fetch(new URL(req.url ?? '/', target), {
            method: req.method,
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
            body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
          });
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(await answer.text());
        } catch (err) {
          res.writeHead(502).end(err instanceof Error ? err.message : String(err));
        }
      })();
    });
  });
  return listen(server, 0);
}

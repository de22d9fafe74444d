/**
 * Long-running commands (dev, demo, sim) stop cleanly on the first Ctrl-C or SIGTERM; a second one
 * exits at once, for when a clean stop hangs.
 */
export interface Interrupt {
  signal: AbortSignal;
  /** Resolves with the signal's name when one arrives. */
  received: Promise<NodeJS.Signals>;
  dispose(): void;
}

export function listenForInterrupt(onFirst?: (signal: NodeJS.Signals) => void): Interrupt {
  const controller = new AbortController();
  let resolveReceived: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: exiting without a clean stop\n`);
      process.exit(130);
    }
    onFirst?.(signal);
    controller.abort();
    resolveReceived(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

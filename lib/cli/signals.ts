/**
 * Ctrl-C (or SIGTERM) stops the load promptly and lets the run write its reports; a second one
 * exits at once. npm may forward the same SIGINT twice in a row, so a second signal within
 * 500 ms of the first is not taken as "force".
 */
export function interruptSignal(
  onFirst?: (sig: NodeJS.Signals) => void,
  /** Printed on the forced exit: what the user should do about what the run leaves behind. */
  forceNote?: string,
): {
  signal: AbortSignal;
  dispose(): void;
} {
  const controller = new AbortController();
  let firstAt = 0;
  const handler = (sig: NodeJS.Signals) => {
    const now = Date.now();
    if (!controller.signal.aborted) {
      firstAt = now;
      onFirst?.(sig);
      controller.abort(sig);
      return;
    }
    if (now - firstAt < 500) return;
    process.stderr.write(`\n${sig} again: exiting without reports${forceNote ? `\n${forceNote}` : ''}\n`);
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

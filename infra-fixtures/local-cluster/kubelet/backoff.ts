/**
 * The kubelet's restart back-off per container: the first restart is immediate, then the delay
 * starts at `initialMs` and doubles up to `maxMs`; an instance that ran for 2 × max resets it
 * (kubelet flowcontrol.Backoff with its 10 s / 300 s defaults).
 */
export class Backoff {
  private current = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  /** The delay before the next start; `ranMs` is how long the last instance ran. */
  next(ranMs = 0): number {
    if (ranMs >= 2 * this.maxMs) this.current = 0;
    const delay = this.current;
    this.current = delay === 0 ? this.initialMs : Math.min(delay * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.current = 0;
  }
}

/** Go's Duration.String for whole milliseconds: 200ms, 10s, 5m0s (the kubelet's back-off wording). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms) / 1000;
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${+(seconds % 60).toFixed(3)}s`;
}

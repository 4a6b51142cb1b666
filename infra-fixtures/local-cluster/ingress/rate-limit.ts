/**
 * ingress-nginx's per-client limits: `limit_req` (limit-rps / limit-rpm with burst = rate ×
 * limit-burst-multiplier, nodelay) as nginx's leaky bucket — the first request is free, each
 * later one adds 1 minus what leaked since, and a request that would push the excess above the
 * burst is refused — and `limit_conn` (limit-connections) as concurrent requests. Refusals answer
 * 503, ingress-nginx's default limit status. Keys are `ingress|client address`.
 */

interface Bucket {
  excess: number;
  last: number;
}

/** Entries idle this long are dropped by the sweep; their bucket would have drained anyway. */
const idleMs = 60_000;

export class RequestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the request may pass; `rate` in requests per second, `burst` in requests. */
  allow(key: string, rate: number, burst: number): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, { excess: 0, last: now });
      return true;
    }
    const excess = Math.max(0, bucket.excess - (rate * (now - bucket.last)) / 1000 + 1);
    if (excess > burst) return false;
    bucket.excess = excess;
    bucket.last = now;
    return true;
  }

  sweep(): void {
    const cutoff = this.now() - idleMs;
    for (const [key, b] of this.buckets) if (b.last < cutoff) this.buckets.delete(key);
  }
}

export class ConnectionLimiter {
  private readonly active = new Map<string, number>();

  /** Claims a slot; false when `limit` requests of this key are already in flight. */
  acquire(key: string, limit: number): boolean {
    const n = this.active.get(key) ?? 0;
    if (n >= limit) return false;
    this.active.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.active.get(key) ?? 1) - 1;
    if (n <= 0) this.active.delete(key);
    else this.active.set(key, n);
  }
}

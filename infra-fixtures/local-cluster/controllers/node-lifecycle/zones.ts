/**
 * Zone disruption bookkeeping and the rate-limited NoExecute tainting queues, one per zone, as in
 * upstream's node lifecycle controller (RateLimitedTimedQueue over a token bucket with burst 1).
 * Everything runs on the controller's injectable clock, so a fake clock drives the rates too.
 *
 * Zone states: no Ready node → FullDisruption; more than 2 not-Ready nodes and at least
 * `unhealthyZoneThreshold` of them → PartialDisruption; otherwise Normal. Tainting rates:
 * Normal and FullDisruption → evictionRate; PartialDisruption → secondaryEvictionRate in zones
 * larger than largeClusterSizeThreshold, else 0. When every zone is fully disrupted the
 * controller assumes its own connectivity is the problem: it stops tainting and removes the
 * NoExecute taints ("master disruption mode").
 */
import type { KubeObject } from '../../store/types.ts';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** Region and zone joined as upstream's GetZoneKey does; '' for nodes without either label. */
export function zoneKey(node: KubeObject): string {
  const labels = node.metadata.labels ?? {};
  const zone =
    labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region =
    labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

export function computeZoneState(
  readyStatuses: Array<string | undefined>,
  unhealthyThreshold: number,
): ZoneState {
  const ready = readyStatuses.filter((s) => s === 'True').length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** Token bucket with burst 1 that starts full; qps 0 never accepts. */
class Limiter {
  private tokens = 1;
  constructor(
    readonly qps: number,
    private last: number,
  ) {}

  tryAccept(nowMs: number): boolean {
    if (this.qps <= 0) return false;
    this.tokens = Math.min(1, this.tokens + (Math.max(0, nowMs - this.last) / 1000) * this.qps);
    this.last = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Item {
  name: string;
  processAt: number;
  seq: number;
}

/**
 * A unique queue: a value stays "known" after it is processed, so it is not queued again until
 * it is explicitly removed (the node became reachable, or its taint vanished).
 */
export class RateLimitedQueue {
  private limiter: Limiter;
  private readonly known = new Set<string>();
  private items: Item[] = [];
  private seq = 0;

  constructor(qps: number, nowMs: number) {
    this.limiter = new Limiter(qps, nowMs);
  }

  get pending(): number {
    return this.items.length;
  }

  add(name: string, nowMs: number): boolean {
    if (this.known.has(name)) return false;
    this.known.add(name);
    this.insert({ name, processAt: nowMs, seq: this.seq++ });
    return true;
  }

  remove(name: string): boolean {
    if (!this.known.delete(name)) return false;
    this.items = this.items.filter((i) => i.name !== name);
    return true;
  }

  /** Processes due items while the limiter allows; `fn` returns true when done, or ms to retry after. */
  try(nowMs: number, fn: (name: string) => true | number): void {
    while (this.items.length) {
      const head = this.items[0]!;
      if (!this.limiter.tryAccept(nowMs)) return;
      if (nowMs < head.processAt) return;
      this.items.shift();
      const result = fn(head.name);
      if (result !== true && this.known.has(head.name))
        this.insert({ ...head, processAt: nowMs + result + 1 });
    }
  }

  /** A new rate; when the old bucket was empty the new one starts empty too (upstream SwapLimiter). */
  swapLimiter(qps: number, nowMs: number): void {
    if (this.limiter.qps === qps) return;
    const next = new Limiter(qps, nowMs);
    if (qps > 0 && !this.limiter.tryAccept(nowMs)) next.tryAccept(nowMs);
    this.limiter = next;
  }

  private insert(item: Item): void {
    const i = this.items.findIndex((x) => x.processAt > item.processAt);
    if (i < 0) this.items.push(item);
    else this.items.splice(i, 0, item);
  }
}

export interface ZoneRates {
  evictionRate: number;
  secondaryEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
}

export class Zones {
  readonly states = new Map<string, ZoneState>();
  readonly queues = new Map<string, RateLimitedQueue>();

  constructor(private readonly rates: ZoneRates) {}

  /** addPodEvictorForNewZone. */
  ensure(zone: string, nowMs: number): void {
    if (this.states.has(zone)) return;
    this.states.set(zone, 'Initial');
    if (!this.queues.has(zone)) this.queues.set(zone, new RateLimitedQueue(this.rates.evictionRate, nowMs));
  }

  queue(zone: string, nowMs: number): RateLimitedQueue {
    let q = this.queues.get(zone);
    if (!q) this.queues.set(zone, (q = new RateLimitedQueue(this.rates.evictionRate, nowMs)));
    return q;
  }

  /**
   * handleDisruption: new zone states from the Ready statuses per zone. Returns 'enter' when every
   * zone just became fully disrupted (the caller removes NoExecute taints everywhere), 'exit' when
   * that ends (the caller restarts every node's grace period), else undefined.
   */
  update(readyByZone: Map<string, Array<string | undefined>>, nowMs: number): 'enter' | 'exit' | undefined {
    const next = new Map<string, ZoneState>();
    let allAreFull = true;
    for (const [zone, statuses] of readyByZone) {
      const state = computeZoneState(statuses, this.rates.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFull = false;
      next.set(zone, state);
      if (!this.states.has(zone)) this.states.set(zone, 'Initial');
    }
    for (const zone of [...this.states.keys()]) if (!readyByZone.has(zone)) this.states.delete(zone);
    const allWereFull = [...this.states.values()].every((s) => s === 'FullDisruption');
    if (allAreFull && allWereFull) return undefined;
    if (allAreFull) {
      for (const zone of this.states.keys()) {
        this.queue(zone, nowMs).swapLimiter(0, nowMs);
        this.states.set(zone, 'FullDisruption');
      }
      return 'enter';
    }
    const exiting = allWereFull;
    for (const [zone, state] of this.states) {
      const fresh = next.get(zone) ?? 'Normal';
      if (!exiting && state === fresh) continue;
      this.queue(zone, nowMs).swapLimiter(this.rate(fresh, readyByZone.get(zone)?.length ?? 0), nowMs);
      this.states.set(zone, fresh);
    }
    return exiting ? 'exit' : undefined;
  }

  private rate(state: ZoneState, zoneSize: number): number {
    if (state === 'PartialDisruption')
      return zoneSize > this.rates.largeClusterSizeThreshold ? this.rates.secondaryEvictionRate : 0;
    return this.rates.evictionRate;
  }
}

/**
 * The proxy's view of each Service's ready endpoints. An update takes effect only after the
 * propagation delay (ingress-nginx syncs endpoints into its Lua balancer about once a second), so
 * a pod removed from Endpoints still gets traffic for that long — the race zero-downtime rollouts
 * must cover with preStop. Picking is round robin per Service; a retry prefers endpoints this
 * request has not tried yet.
 */

export interface EndpointInput {
  readonly ip: string;
  readonly port: number;
  readonly zone?: string;
  readonly podName?: string;
}

export interface Endpoint extends EndpointInput {
  /** `ip:port`, the upstream label and the connection pool key. */
  readonly address: string;
}

export interface ServiceEndpoints {
  endpoints: Endpoint[];
  cursor: number;
}

export class BackendTable {
  private readonly services = new Map<string, ServiceEndpoints>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly delayMs: number) {}

  /** Replaces a Service's endpoints once the propagation delay has passed. */
  set(key: string, endpoints: readonly EndpointInput[]): void {
    const next = endpoints.map((e) => {
      if (typeof e.ip !== 'string' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
        throw new TypeError(
          `setBackends(${key}): each endpoint needs ip (string) and port (1-65535), got ${JSON.stringify(e)}`,
        );
      }
      return { ...e, address: `${e.ip}:${e.port}` };
    });
    if (this.delayMs <= 0) return this.apply(key, next);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.apply(key, next);
    }, this.delayMs);
    this.timers.add(timer);
  }

  private apply(key: string, endpoints: Endpoint[]): void {
    const current = this.services.get(key);
    if (current) current.endpoints = endpoints;
    else this.services.set(key, { endpoints, cursor: 0 });
  }

  /** The first of `keys` that has endpoints. */
  lookup(keys: readonly string[]): ServiceEndpoints | undefined {
    for (const key of keys) {
      const s = this.services.get(key);
      if (s && s.endpoints.length > 0) return s;
    }
    return undefined;
  }

  /** Next endpoint in round robin, skipping `tried` unless every endpoint has been tried. */
  static pick(service: ServiceEndpoints, tried: readonly Endpoint[]): Endpoint | undefined {
    const list = service.endpoints;
    const n = list.length;
    if (n === 0) return undefined;
    for (let i = 0; i < n; i++) {
      const index = (service.cursor + i) % n;
      const e = list[index] as Endpoint;
      if (!tried.includes(e)) {
        service.cursor = (index + 1) % n;
        return e;
      }
    }
    const e = list[service.cursor % n] as Endpoint;
    service.cursor = (service.cursor + 1) % n;
    return e;
  }

  /** Every endpoint in effect, for metrics and pool clean-up. */
  *all(): Generator<[string, Endpoint[]]> {
    for (const [key, s] of this.services) yield [key, s.endpoints];
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Addresses a partition has cut off: exact IPs or IPv4 CIDRs such as 127.1.3.0/24. */
export class Blackhole {
  private readonly ips = new Set<string>();
  private ranges: { base: number; mask: number; text: string }[] = [];

  get size(): number {
    return this.ips.size + this.ranges.length;
  }

  add(targets: Iterable<string>): void {
    for (const t of targets) {
      const slash = t.indexOf('/');
      if (slash === -1) {
        this.ips.add(t);
        continue;
      }
      const base = ipv4ToInt(t.slice(0, slash));
      const bits = Number(t.slice(slash + 1));
      if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
        throw new TypeError(`blackhole: "${t}" is neither an IP nor an IPv4 CIDR like 127.1.3.0/24`);
      }
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if (!this.ranges.some((r) => r.text === t))
        this.ranges.push({ base: (base & mask) >>> 0, mask, text: t });
    }
  }

  /** Removes the given targets, or everything when none are given. */
  remove(targets?: Iterable<string>): void {
    if (!targets) {
      this.ips.clear();
      this.ranges = [];
      return;
    }
    const drop = new Set(targets);
    for (const t of drop) this.ips.delete(t);
    this.ranges = this.ranges.filter((r) => !drop.has(r.text));
  }

  has(ip: string): boolean {
    if (this.ips.has(ip)) return true;
    if (this.ranges.length === 0) return false;
    const n = ipv4ToInt(ip);
    return n !== undefined && this.ranges.some((r) => (n & r.mask) >>> 0 === r.base);
  }
}

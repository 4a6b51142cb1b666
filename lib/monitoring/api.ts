/**
 * Clients for the Prometheus HTTP API (v1: query, query_range, targets, alerts, rules) and the
 * Alertmanager API v2 (alerts). Every request has a timeout; failures name the endpoint and what
 * the server said.
 */

export interface Sample {
  readonly labels: Record<string, string>;
  /** Unix seconds. */
  readonly t: number;
  readonly value: number;
}

export interface Series {
  readonly labels: Record<string, string>;
  readonly points: ReadonlyArray<{ t: number; value: number }>;
}

export interface ActiveTarget {
  readonly discoveredLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
  readonly lastScrape: string;
}

export interface TargetsResult {
  readonly activeTargets: ActiveTarget[];
  readonly droppedTargets: Array<{ discoveredLabels: Record<string, string> }>;
}

export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
}

export interface AlertingRule {
  readonly name: string;
  readonly query: string;
  /** The rule's `for`, seconds. */
  readonly duration: number;
  readonly keepFiringFor?: number;
  readonly state: 'inactive' | 'pending' | 'firing';
  readonly labels: Record<string, string>;
  readonly health: string;
  readonly type: 'alerting';
}

export interface RuleGroup {
  readonly name: string;
  readonly file: string;
  /** Evaluation interval, seconds. */
  readonly interval: number;
  readonly rules: AlertingRule[];
}

export interface AlertmanagerAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** When the alert turned firing in Prometheus (RFC 3339). */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly updatedAt: string;
  readonly fingerprint: string;
  readonly status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy: string[];
    inhibitedBy: string[];
  };
  readonly receivers: Array<{ name: string }>;
}

const kTimeoutMs = 5000;

async function getJson(url: string, what: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`${what}: GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what}: GET ${url} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const err = (body as { error?: string }).error ?? text.slice(0, 200);
    throw new Error(`${what}: GET ${url} answered ${res.status}: ${err}`);
  }
  return body;
}

function toTime(t: Date | number): string {
  return t instanceof Date ? String(t.getTime() / 1000) : String(t);
}

export class PrometheusClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = kTimeoutMs,
  ) {}

  private async data<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const qs = new URLSearchParams(params).toString();
    const url = `${this.baseUrl}/api/v1/${path}${qs ? `?${qs}` : ''}`;
    const body = (await getJson(url, 'prometheus', this.timeoutMs)) as {
      status?: string;
      data?: T;
      error?: string;
    };
    if (body.status !== 'success')
      throw new Error(`prometheus: ${url}: ${body.error ?? 'status not success'}`);
    return body.data as T;
  }

  /** Instant query; `time` is a Date or unix seconds (default now). Scalars come back as one unlabelled sample. */
  async query(expr: string, time?: Date | number): Promise<Sample[]> {
    const d = await this.data<{ resultType: string; result: unknown }>('query', {
      query: expr,
      ...(time !== undefined ? { time: toTime(time) } : {}),
    });
    if (d.resultType === 'scalar') {
      const [t, v] = d.result as [number, string];
      return [{ labels: {}, t, value: Number(v) }];
    }
    if (d.resultType !== 'vector')
      throw new Error(`prometheus: query "${expr}" gave a ${d.resultType}, not a vector`);
    return (d.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
      labels: r.metric,
      t: r.value[0],
      value: Number(r.value[1]),
    }));
  }

  /** Range query; points snap to `stepS`, so it is too coarse for detection timing. */
  async queryRange(expr: string, start: Date | number, end: Date | number, stepS: number): Promise<Series[]> {
    const d = await this.data<{ resultType: string; result: unknown }>('query_range', {
      query: expr,
      start: toTime(start),
      end: toTime(end),
      step: String(stepS),
    });
    return (d.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map(
      (r) => ({
        labels: r.metric,
        points: r.values.map(([t, v]) => ({ t, value: Number(v) })),
      }),
    );
  }

  targets(state: 'active' | 'dropped' | 'any' = 'any'): Promise<TargetsResult> {
    return this.data<TargetsResult>('targets', { state });
  }

  async alerts(): Promise<PrometheusAlert[]> {
    return (await this.data<{ alerts: PrometheusAlert[] }>('alerts')).alerts;
  }

  async alertRules(): Promise<RuleGroup[]> {
    return (await this.data<{ groups: RuleGroup[] }>('rules', { type: 'alert' })).groups;
  }
}

export class AlertmanagerClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = kTimeoutMs,
  ) {}

  /** `GET /api/v2/alerts`; `filter` entries are matchers such as `alertname="NodeNotReady"`. */
  async alerts(options: { filter?: readonly string[]; active?: boolean } = {}): Promise<AlertmanagerAlert[]> {
    const qs = new URLSearchParams();
    for (const f of options.filter ?? []) qs.append('filter', f);
    if (options.active !== undefined) qs.set('active', String(options.active));
    const q = qs.toString();
    const body = await getJson(
      `${this.baseUrl}/api/v2/alerts${q ? `?${q}` : ''}`,
      'alertmanager',
      this.timeoutMs,
    );
    if (!Array.isArray(body)) throw new Error('alertmanager: /api/v2/alerts did not answer an array');
    return body as AlertmanagerAlert[];
  }
}

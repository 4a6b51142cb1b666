/**
 * The ingress-nginx annotations this proxy honours, read per Ingress. Like ingress-nginx, an
 * invalid value is ignored (the default applies) and reported as a warning naming the Ingress,
 * the annotation and the expected form.
 */

const prefix = 'nginx.ingress.kubernetes.io/';

export type NextUpstreamCondition =
  | 'error'
  | 'timeout'
  | 'http_500'
  | 'http_502'
  | 'http_503'
  | 'http_504'
  | 'http_403'
  | 'http_404'
  | 'http_429';

export interface RouteOptions {
  /** limit_req rate per client address, requests per second (limit-rps, or limit-rpm ÷ 60). */
  readonly limitRps?: number;
  readonly limitRpm?: number;
  /** limit-burst-multiplier. @default 5 */
  readonly burstMultiplier: number;
  /** limit_conn: concurrent requests per client address. */
  readonly limitConnections?: number;
  /** proxy-next-upstream conditions. @default error, timeout */
  readonly nextUpstream: ReadonlySet<NextUpstreamCondition>;
  /** `non_idempotent` in proxy-next-upstream: retry POST/PATCH/LOCK even after sending them. */
  readonly retryNonIdempotent: boolean;
  /** proxy-next-upstream-tries. @default 3 */
  readonly tries: number;
  /** proxy-read-timeout in ms; undefined = the controller's default. */
  readonly readTimeoutMs?: number;
  /** proxy-body-size in bytes; 0 = unlimited. @default 1 MiB */
  readonly maxBodyBytes: number;
}

const conditions = new Set([
  'error',
  'timeout',
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  'http_403',
  'http_404',
  'http_429',
]);

function positiveInt(raw: string): number | undefined {
  return /^\d+$/.test(raw.trim()) && Number(raw) > 0 ? Number(raw) : undefined;
}

function size(raw: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(raw.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] as string).toLowerCase()] as number;
  return Number(m[1]) * unit;
}

export function routeOptions(
  annotations: Record<string, string> | undefined,
  where: string,
  warnings: string[],
): RouteOptions {
  const a = annotations ?? {};
  const read = <T>(name: string, parse: (raw: string) => T | undefined, expected: string): T | undefined => {
    const raw = a[prefix + name];
    if (raw === undefined) return undefined;
    const value = parse(String(raw));
    if (value === undefined)
      warnings.push(`${where}: ${prefix}${name} "${raw}" must be ${expected}; ignored`);
    return value;
  };
  const nextRaw = read(
    'proxy-next-upstream',
    (raw) => {
      const tokens = raw.trim().split(/\s+/);
      return tokens.every(
        (t) => t === 'off' || t === 'non_idempotent' || t === 'invalid_header' || conditions.has(t),
      )
        ? tokens
        : undefined;
    },
    'a list of error, timeout, http_5xx codes, non_idempotent or off',
  ) ?? ['error', 'timeout'];
  const off = nextRaw.includes('off');
  const options: RouteOptions = {
    burstMultiplier: read('limit-burst-multiplier', positiveInt, 'a positive integer') ?? 5,
    nextUpstream: new Set(off ? [] : (nextRaw.filter((t) => conditions.has(t)) as NextUpstreamCondition[])),
    retryNonIdempotent: !off && nextRaw.includes('non_idempotent'),
    tries: read('proxy-next-upstream-tries', positiveInt, 'a positive integer') ?? 3,
    maxBodyBytes: read('proxy-body-size', size, 'a size such as 1m, 512k or 0') ?? 1024 * 1024,
  };
  const limitRps = read('limit-rps', positiveInt, 'a positive integer');
  const limitRpm = read('limit-rpm', positiveInt, 'a positive integer');
  const limitConnections = read('limit-connections', positiveInt, 'a positive integer');
  const readTimeout = read('proxy-read-timeout', positiveInt, 'whole seconds');
  return {
    ...options,
    ...(limitRps !== undefined ? { limitRps } : {}),
    ...(limitRpm !== undefined ? { limitRpm } : {}),
    ...(limitConnections !== undefined ? { limitConnections } : {}),
    ...(readTimeout !== undefined ? { readTimeoutMs: readTimeout * 1000 } : {}),
  };
}

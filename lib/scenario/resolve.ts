/**
 * Input → resolved scenario: validate once at the boundary, convert durations to ms, fill
 * defaults, apply `--scale`. Every problem is reported as `field.path: what is wrong (fix)`.
 */
import type { z } from 'zod';
import { ScenarioInvalidError } from '../errors.ts';
import { parseDuration } from './duration.ts';
import type {
  ResolvedLoadOptions,
  ResolvedProfile,
  ResolvedPromqlSla,
  ResolvedRequest,
  ResolvedScenario,
  ResolvedSla,
  ResolvedWindow,
} from './resolved.ts';
import { profileDurationMs } from './resolved.ts';
import { type ParsedScenarioInput, scenarioInputSchema } from './schema.ts';
import { type ParsedSlaText, parseSlaText, slaId } from './sla-text.ts';
import { resolveChaosEntries } from './chaos-schema.ts';
import { resolveVerification, resolveWindow } from './verify-resolve.ts';
import { resolvePromqlSla } from './promql-sla-schema.ts';

export interface ResolveOptions {
  /** Multiplies every duration of the schedule (profile, windows). Default 1. */
  scale?: number;
  /** Shown in error messages: the scenario file, or 'command line'. */
  source?: string;
}

export function resolveScenario(input: unknown, opts: ResolveOptions = {}): ResolvedScenario {
  const source = opts.source ?? 'scenario';
  const scale = opts.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new ScenarioInvalidError(source, [`scale must be a number greater than 0 (got ${scale})`]);
  }
  const parsed = scenarioInputSchema.safeParse(input);
  if (!parsed.success) throw new ScenarioInvalidError(source, formatIssues(parsed.error.issues));
  const problems: string[] = [];
  const s = parsed.data;
  const ms = (v: string | number) => (parseDuration(v) as number) * scale;

  const target = resolveTarget(s.target, problems);
  const requests = s.requests.map((r, i) => resolveRequest(r, i));
  const profile = resolveProfile(s.load, ms);
  const load = resolveLoadOptions(s, profile);
  const runMs = profileDurationMs(profile);
  const slas: ResolvedSla[] = [];
  const promqlSlas: ResolvedPromqlSla[] = [];
  s.slas.forEach((x, i) => {
    if (typeof x === 'object' && 'promql' in x) promqlSlas.push(resolvePromqlSla(x, i, scale, problems));
    else slas.push(resolveSla(x, i, ms, runMs, problems));
  });
  checkPromqlIds(promqlSlas, problems);
  const chaosActions = s.chaos.map((c) => c.action.kind);
  const verify = s.verify.map((v, i) =>
    resolveVerification(v, i, { scaled: ms, runMs, slas, chaosActions }, problems),
  );
  const chaos = resolveChaosEntries(s.chaos, { scale, problems, runMs });
  if (chaos.length && target.kind === 'url') {
    problems.push(
      'chaos: faults need a Kubernetes target; set target: { kubernetes: { namespace, deployment } } (or run with --target local)',
    );
  }
  if (problems.length) throw new ScenarioInvalidError(source, problems);
  return deepFreeze({
    name: s.name,
    description: s.description,
    target,
    requests,
    profile,
    load,
    slas,
    promqlSlas,
    verify,
    chaos,
    chaosLimits: s.chaosLimits,
    scale,
  });
}

function resolveTarget(t: ParsedScenarioInput['target'], problems: string[]): ResolvedScenario['target'] {
  if (typeof t !== 'string' && 'kubernetes' in t) {
    const k = t.kubernetes;
    if (!k.deployment && !k.selector)
      problems.push("target.kubernetes: name the workload with deployment: 'name' or selector: 'app=name'");
    if (k.url !== undefined) {
      const u = resolveTarget(k.url, problems);
      return { kind: 'kubernetes', ...k, url: u.url };
    }
    return { kind: 'kubernetes', ...k };
  }
  const raw = typeof t === 'string' ? t : t.url;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`target: '${raw}' is not a URL; write e.g. 'http://127.0.0.1:8080'`);
    return { kind: 'url', url: raw };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`target: protocol '${url.protocol}' is not supported; use http:// or https://`);
  }
  if (url.search || url.hash)
    problems.push('target: put query strings in request paths, not in the target URL');
  return { kind: 'url', url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

function resolveRequest(r: ParsedScenarioInput['requests'][number], i: number): ResolvedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: string | undefined;
  if (typeof r.body === 'string') body = r.body;
  else if (r.body !== undefined) {
    body = JSON.stringify(r.body);
    headers['content-type'] ??= 'application/json';
  }
  const expect = r.expectStatus === undefined ? range(200, 299) : [r.expectStatus].flat();
  return {
    name: r.name ?? `${r.method} ${r.path}${i ? '' : ''}`,
    method: r.method,
    path: r.path,
    headers,
    body,
    expectStatus: expect,
    weight: r.weight,
  };
}

function resolveProfile(l: ParsedScenarioInput['load'], ms: (v: string | number) => number): ResolvedProfile {
  switch (l.kind) {
    case 'constant-arrival-rate':
      return { kind: l.kind, rate: l.rate, durationMs: ms(l.duration) };
    case 'ramping-arrival-rate':
      return {
        kind: l.kind,
        startRate: l.startRate,
        stages: l.stages.map((st) => ({ target: st.target, durationMs: ms(st.duration) })),
      };
    case 'closed':
      return { kind: l.kind, connections: l.connections, durationMs: ms(l.duration) };
  }
}

function peakRate(p: ResolvedProfile): number {
  if (p.kind === 'constant-arrival-rate') return p.rate;
  if (p.kind === 'ramping-arrival-rate') return Math.max(p.startRate, ...p.stages.map((s) => s.target));
  return 0;
}

function resolveLoadOptions(s: ParsedScenarioInput, profile: ResolvedProfile): ResolvedLoadOptions {
  const o = s.options;
  const timeoutMs = o.timeout !== undefined ? (parseDuration(o.timeout) as number) : 10_000;
  // Little's law with head-room: enough in-flight slots for the peak rate at a 1 s response time,
  // so only a genuinely stalled target (or a tiny cap the user chose) produces drops.
  const maxInFlight =
    o.maxInFlight ??
    (profile.kind === 'closed' ? profile.connections : Math.max(100, Math.ceil(peakRate(profile) * 1)));
  return {
    maxInFlight,
    timeoutMs,
    maxScheduleLagMs: o.maxScheduleLag !== undefined ? (parseDuration(o.maxScheduleLag) as number) : 1000,
    connections:
      o.connections ?? (profile.kind === 'closed' ? profile.connections : Math.min(maxInFlight, 256)),
  };
}

/** Each server-side SLA's samples are kept under its id, so two with one id would mix. */
function checkPromqlIds(slas: readonly ResolvedPromqlSla[], problems: string[]): void {
  const seen = new Set<string>();
  for (const s of slas) {
    if (seen.has(s.id)) problems.push(`slas: two server-side SLAs have id '${s.id}'; give each its own id`);
    seen.add(s.id);
  }
}

type ClientSlaInput = Exclude<ParsedScenarioInput['slas'][number], { promql: string }>;

function resolveSla(
  x: ClientSlaInput,
  i: number,
  ms: (v: string | number) => number,
  runMs: number,
  problems: string[],
): ResolvedSla {
  const base = typeof x === 'string' ? { sla: x } : x;
  let core: ParsedSlaText;
  if ('sla' in base) core = parseSlaText(base.sla) as ParsedSlaText;
  else {
    const value =
      base.metric === 'latency' && typeof base.value === 'string'
        ? parseDuration(base.value)
        : Number(base.value);
    if (value === undefined || !Number.isFinite(value)) {
      problems.push(
        `slas[${i}].value: '${base.value}' is not a ${base.metric === 'latency' ? 'time, e.g. 100 or "100ms"' : 'number (percent)'}`,
      );
    }
    if (base.metric === 'latency' && base.percentile === undefined) {
      problems.push(`slas[${i}].percentile: a latency SLA needs a percentile, e.g. percentile: 95`);
    }
    if (base.metric !== 'latency' && base.percentile !== undefined) {
      problems.push(`slas[${i}].percentile: only latency SLAs take a percentile`);
    }
    core = { metric: base.metric, percentile: base.percentile ?? 95, op: base.op, value: value ?? 0 };
    if (core.metric !== 'latency') delete core.percentile;
  }
  const opts = typeof x === 'string' ? undefined : x;
  const window: ResolvedWindow | null = opts?.window
    ? resolveWindow(opts.window, `slas[${i}].window`, { scaled: ms, runMs }, problems)
    : null;
  return {
    id: slaId(core),
    metric: core.metric,
    ...(core.percentile !== undefined ? { percentile: core.percentile } : {}),
    op: core.op,
    value: core.value,
    window,
    scope: opts?.scope ?? 'run',
    abortOnFail: opts?.abortOnFail ?? false,
    abortWindowS: ms(opts?.abortWindow ?? '10s') / 1000,
  };
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((iss) => {
    const path = formatPath(iss.path);
    if (iss.code === 'unrecognized_keys') {
      return `${path ? `${path}: ` : ''}unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')} (check the spelling)`;
    }
    if (iss.code === 'invalid_type' && iss.message.startsWith('Invalid input: expected')) {
      return `${path || 'scenario'}: ${iss.message.replace('Invalid input: ', '')}`;
    }
    return `${path || 'scenario'}: ${iss.message}`;
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

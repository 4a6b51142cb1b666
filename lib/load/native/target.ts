/**
 * Turn a plan into what the hot loop needs: the pool's origin and, per request, dispatch options
 * built once (path joined to the base path, body already a Buffer) and a status lookup table, so
 * sending a request allocates nothing of its own.
 */
import type { Dispatcher } from 'undici';
import type { LoadPlan } from '../engine.ts';

export interface RequestTemplate {
  readonly name: string;
  /** Shared by every send of this request: undici only reads it. */
  readonly dispatch: Dispatcher.DispatchOptions;
  /** expect[status] === 1 when the status counts as success. */
  readonly expect: Uint8Array;
}

export interface PreparedTarget {
  readonly origin: string;
  readonly templates: readonly RequestTemplate[];
  readonly weights: readonly number[];
}

const kMaxStatus = 1000;

function checkOptions(plan: LoadPlan): void {
  const o = plan.options;
  const int = (field: keyof typeof o, min: number) => {
    const v = o[field];
    if (!(Number.isInteger(v) && v >= min)) {
      throw new RangeError(`load.${field} must be an integer >= ${min} (got ${String(v)})`);
    }
  };
  int('maxInFlight', 1);
  int('connections', 1);
  if (!(o.timeoutMs > 0 && Number.isFinite(o.timeoutMs))) {
    throw new RangeError(`load.timeoutMs must be a positive number of ms (got ${String(o.timeoutMs)})`);
  }
  if (!(o.maxScheduleLagMs >= 0)) {
    throw new RangeError(
      `load.maxScheduleLagMs must be a number of ms >= 0 (got ${String(o.maxScheduleLagMs)})`,
    );
  }
}

export function prepareTarget(plan: LoadPlan): PreparedTarget {
  checkOptions(plan);
  let url: URL;
  try {
    url = new URL(plan.baseUrl);
  } catch {
    throw new RangeError(`target url "${plan.baseUrl}" is not a URL: use e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`target url "${plan.baseUrl}" must use http: or https:`);
  }
  if (plan.requests.length === 0) throw new RangeError('requests must list at least one request to send');
  const basePath = url.pathname.replace(/\/+$/, '');
  const templates = plan.requests.map((r, i): RequestTemplate => {
    if (!r.path.startsWith('/'))
      throw new RangeError(`requests[${i}].path must start with "/" (got "${r.path}")`);
    if (r.expectStatus.length === 0)
      throw new RangeError(`requests[${i}].expectStatus must list at least one status`);
    const expect = new Uint8Array(kMaxStatus);
    for (const s of r.expectStatus) {
      if (!(Number.isInteger(s) && s >= 100 && s < kMaxStatus)) {
        throw new RangeError(`requests[${i}].expectStatus has ${s}: use HTTP status codes 100..999`);
      }
      expect[s] = 1;
    }
    const body = r.body === undefined ? null : Buffer.from(r.body);
    return {
      name: r.name,
      dispatch: { path: basePath + r.path, method: r.method, headers: { ...r.headers }, body },
      expect,
    };
  });
  return { origin: url.origin, templates, weights: plan.requests.map((r) => r.weight) };
}

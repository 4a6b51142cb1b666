/**
 * Small Kubernetes helpers shared by the actions: reading the Status out of client-node errors,
 * wrapping them into one-line messages (`node-drain node/node-a1: 403 Forbidden: …`), merge
 * patches, and abortable, bounded waits.
 */
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GauntletError } from '../lib/errors.ts';

export interface ApiStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** The HTTP code and Status body of a client-node error, or undefined for anything else. */
export function apiStatus(err: unknown): ApiStatus | undefined {
  if (!(err instanceof ApiException)) return undefined;
  let body: unknown = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { code: err.code, reason: '', message: String(body) };
    }
  }
  const b = (body ?? {}) as {
    reason?: string;
    message?: string;
    details?: { retryAfterSeconds?: number };
  };
  const retry = b.details?.retryAfterSeconds ?? Number(err.headers?.['retry-after']);
  return {
    code: err.code,
    reason: b.reason ?? '',
    message: b.message ?? '',
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfterSeconds: retry } : {}),
  };
}

export function isNotFound(err: unknown): boolean {
  return apiStatus(err)?.code === 404;
}

/** A chaos action could not do its work (permissions, a missing object, a timeout). */
export class ChaosActionError extends GauntletError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GAUNTLET_SETUP', message, options);
    this.name = 'ChaosActionError';
  }
}

/** `<what>: 403 Forbidden: pods "x" is forbidden …` for API errors, the message otherwise. */
export function wrapApiError(what: string, err: unknown): Error {
  if (err instanceof GauntletError) return err;
  if (isAbort(err)) return err as Error;
  const s = apiStatus(err);
  if (s) {
    const reason = s.reason ? ` ${s.reason}` : '';
    return new ChaosActionError(`${what}: ${s.code}${reason}${s.message ? `: ${s.message}` : ''}`, {
      cause: err,
    });
  }
  return new ChaosActionError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error(typeof reason === 'string' ? reason : 'aborted');
  e.name = 'AbortError';
  return e;
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined; throws a
 * ChaosActionError naming `what` after `timeoutMs`, or the abort reason when `signal` aborts.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  opts: { what: string; timeoutMs: number; intervalMs?: number; signal: AbortSignal },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal.aborted) throw abortError(opts.signal);
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() >= deadline)
      throw new ChaosActionError(`${opts.what}: not done after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(Math.min(opts.intervalMs ?? 500, Math.max(0, deadline - Date.now())), opts.signal);
  }
}

/**
 * Map what undici and the OS report onto the result schema's error kinds. Codes are read from the
 * error and its `cause` chain because undici wraps socket errors (e.g. a `SocketError` whose cause
 * is the `ECONNRESET`).
 */
import type { ErrorKind } from '../../result/schema.ts';

const kRefused = new Set(['ECONNREFUSED']);
const kReset = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const kTimeout = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'GAUNTLET_TIMEOUT',
]);

/** The reason the engine aborts a request that ran past `timeoutMs`. */
export class RequestTimeoutError extends Error {
  readonly code = 'GAUNTLET_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`request exceeded the ${timeoutMs} ms timeout`);
    this.name = 'RequestTimeoutError';
  }
}

function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

export function classifyError(err: unknown): ErrorKind {
  const codes = codesOf(err);
  // Most specific first: a SocketError caused by ECONNREFUSED is a refusal, not a reset.
  if (codes.some((c) => kRefused.has(c))) return 'refused';
  if (codes.some((c) => kTimeout.has(c))) return 'timeout';
  if (codes.some((c) => kReset.has(c))) return 'reset';
  return 'other';
}

export function classifyStatus(status: number): ErrorKind {
  if (status >= 400 && status < 500) return 'status-4xx';
  if (status >= 500 && status < 600) return 'status-5xx';
  return 'status-other';
}

/**
 * Turning client-node failures into answers a user can act on. Typed API calls throw an
 * ApiException (`code` = HTTP status, `body` = the Status JSON as text); watches report an Error
 * with `statusCode`; transport failures are node-fetch FetchErrors carrying a system `code`.
 */
import { GauntletError } from '../errors.ts';
import type { ClusterClient } from './client.ts';

/** HTTP status of an API failure, or undefined for transport errors. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return httpStatus(err) === 404;
}

/** The server's Status message when there is one, else the error's own message. */
export function apiMessage(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON: fall through to the error message
    }
  } else if (typeof body === 'object' && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' ? message : String(err);
}

/**
 * Runs one API request, mapping the failures every caller shares (unreachable server, missing
 * rights) to GauntletErrors; 404s and anything else are rethrown for the caller to explain.
 */
export async function callApi<T>(client: ClusterClient, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explainCommonFailure(client, what, err) ?? err;
  }
}

export function explainCommonFailure(
  client: ClusterClient,
  what: string,
  err: unknown,
): GauntletError | undefined {
  const status = httpStatus(err);
  const where = `context "${client.contextName}" (${client.server})`;
  if (status === 401) {
    return new GauntletError(
      'GAUNTLET_SETUP',
      `${what}: the API server of ${where} rejected the credentials (401); refresh the kubeconfig's user credentials`,
      { cause: err },
    );
  }
  if (status === 403) {
    return new GauntletError(
      'GAUNTLET_SETUP',
      `${what}: forbidden in ${where}: ${apiMessage(err)}; grant the kubeconfig's user get/list/watch on it (RBAC)`,
      { cause: err },
    );
  }
  if (status === undefined && isTransportError(err)) {
    return new GauntletError(
      'GAUNTLET_TARGET_UNREACHABLE',
      `${what}: cannot reach the API server of ${where}: ${apiMessage(err)}; check that the cluster is running (--target local starts the local one)`,
      { cause: err },
    );
  }
  return undefined;
}

function isTransportError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; type?: unknown; code?: unknown };
  return (
    e.name === 'FetchError' || e.type === 'system' || (typeof e.code === 'string' && /^E[A-Z]+/.test(e.code))
  );
}

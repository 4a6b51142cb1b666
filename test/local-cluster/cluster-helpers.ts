/**
 * Helpers for the assembled-cluster suites: kubectl presence, the fault admin endpoint over TLS,
 * raw HTTP that tells a hang from a refusal, and the pod processes the cluster started.
 */
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import net from 'node:net';
import { promisify } from 'node:util';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';

/** Fails loudly: these suites exist to prove the real kubectl drives the cluster. */
export async function requireKubectl(): Promise<void> {
  try {
    await promisify(execFile)('kubectl', ['version', '--client'], { timeout: 20_000 });
  } catch (err) {
    throw new Error(
      `kubectl is required on PATH for the local-cluster suites (v1.32; /usr/local/bin/kubectl): ${(err as Error).message}`,
    );
  }
}

export interface AdminReply {
  status: number;
  body: Record<string, unknown>;
}

/** A request to the API server's admin routes, verifying TLS against the cluster CA. */
export function adminRequest(
  cluster: { apiUrl: string; caPem: string; token: string },
  method: string,
  pathname: string,
  body?: unknown,
  token: string | null = cluster.token,
): Promise<AdminReply> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      `${cluster.apiUrl}${pathname}`,
      {
        method,
        ca: cluster.caPem,
        timeout: 15_000,
        headers: {
          ...(token !== null ? { Authorization: `Bearer ${token}` } : {}),
          ...(text !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Record<string, unknown> });
          } catch (err) {
            reject(new Error(`${method} ${pathname}: not JSON (${(err as Error).message}): ${data}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname}: no answer in 15 s`)));
    req.on('error', reject);
    req.end(text);
  });
}

export type RawOutcome = { kind: 'response'; head: string } | { kind: 'refused' } | { kind: 'hang' };

/**
 * A plain GET on a fresh connection: `refused` when nothing accepts it, `hang` when the connection
 * opens but no byte comes back within `waitMs`. A hanging socket is handed to `onHang` (kept open,
 * so the caller can see the reply arrive later) or closed.
 */
export function rawGet(
  ip: string,
  port: number,
  path: string,
  waitMs: number,
  onHang?: (late: Promise<string>) => void,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port });
    let data = '';
    let settled = false;
    let late: ((text: string) => void) | undefined;
    const lateReply = new Promise<string>((r) => (late = r));
    socket.setEncoding('utf8');
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${ip}\r\nConnection: close\r\n\r\n`),
    );
    socket.on('data', (d: string) => {
      data += d;
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ kind: 'response', head: data.split('\r\n')[0] ?? '' });
        socket.destroy();
      } else late?.(data.split('\r\n')[0] ?? '');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(
          err.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'response', head: `error ${err.code}` },
        );
      }
    });
    const timer = setTimeout(() => {
      settled = true;
      resolve({ kind: 'hang' });
      if (onHang) onHang(lateReply);
      else socket.destroy();
    }, waitMs);
  });
}

/** PIDs of a pod's container processes (`containerID: proc://<pid>`). */
export function podPids(pod: StoredObject): number[] {
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ containerID?: string }>;
  return statuses
    .map((s) => /^proc:\/\/(\d+)$/.exec(s.containerID ?? '')?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
}

export function conditionStatus(
  obj: { status?: { conditions?: unknown } },
  type: string,
): string | undefined {
  return ((obj.status?.conditions ?? []) as Array<{ type: string; status: string }>).find(
    (c) => c.type === type,
  )?.status;
}

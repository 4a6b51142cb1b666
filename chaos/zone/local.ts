/**
 * The `local` zone provider: the local cluster's fault admin endpoint, served by its API server
 * behind the kubeconfig's credentials (infra-fixtures/local-cluster/cluster/fault-admin.ts):
 *
 *   POST   /local-cluster/v1/faults        {"zone","mode"} → 201 {id, mode, zone, nodes, startedAt}
 *   GET    /local-cluster/v1/faults        → {items: [fault]}
 *   GET    /local-cluster/v1/faults/{id}   → fault, 404 when it is gone
 *   DELETE /local-cluster/v1/faults/{id}   → fault with recoveredAt, once the nodes are back
 *
 * TLS and auth come from client-node (`applyToHTTPSOptions`), so this talks to exactly the server
 * and identity the rest of gauntlet uses. Fault ids restart with the cluster, so a revert checks
 * the fault's zone, mode and start time before deleting it.
 */
import http from 'node:http';
import https from 'node:https';
import type { ClusterClient } from '../../lib/cluster/client.ts';
import type { ZoneFaultMode } from '../../lib/scenario/chaos-schema.ts';
import { abortError, ChaosActionError } from '../k8s.ts';
import {
  ZoneFaultRejected,
  type ZoneFaultContext,
  type ZoneFaultHandle,
  type ZoneFaultProvider,
} from './provider.ts';

export const LOCAL_FAULTS_PATH = '/local-cluster/v1/faults';

interface LocalFault {
  id: string;
  mode: ZoneFaultMode;
  zone?: string;
  node?: string;
  nodes: string[];
  startedAt: string;
  recoveredAt?: string;
}

interface Reply {
  status: number;
  body: unknown;
}

export interface LocalZoneProviderOptions {
  /** Per request; a stop of many pod processes takes a few seconds. Default 60 s. */
  readonly requestTimeoutMs?: number;
}

export function createLocalZoneProvider(
  client: ClusterClient,
  options: LocalZoneProviderOptions = {},
): ZoneFaultProvider {
  const timeoutMs = options.requestTimeoutMs ?? 60_000;

  async function call(method: string, suffix: string, signal: AbortSignal, body?: unknown): Promise<Reply> {
    const url = new URL(LOCAL_FAULTS_PATH + suffix, client.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const opts: https.RequestOptions = {
      method,
      headers: {
        Accept: 'application/json',
        ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
    };
    await client.kc.applyToHTTPSOptions(opts);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise<Reply>((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      const req = mod.request(url, { ...opts, signal, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // A non-JSON answer is reported as text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () =>
        req.destroy(new ChaosActionError(`${method} ${url.pathname}: no answer in ${timeoutMs / 1000} s`)),
      );
      req.on('error', (err) => reject(signal.aborted ? abortError(signal) : err));
      req.end(payload);
    });
  }

  function failure(method: string, suffix: string, reply: Reply): ChaosActionError {
    const s = (typeof reply.body === 'object' && reply.body ? reply.body : {}) as {
      reason?: string;
      message?: string;
      details?: { kind?: string };
    };
    const text = typeof reply.body === 'string' ? reply.body : (s.message ?? '');
    // The endpoint's own 404s (unknown zone) name kind `faults`; a plain 404 means no endpoint.
    if (reply.status === 404 && suffix === '' && s.details?.kind !== 'faults')
      return new ChaosActionError(
        `zone-outage (local): ${client.server} has no fault admin endpoint (${LOCAL_FAULTS_PATH}); ` +
          `the local provider works only against the local cluster (--target local)`,
      );
    return new ChaosActionError(
      `zone-outage (local): ${method} ${LOCAL_FAULTS_PATH}${suffix}: ${reply.status}${s.reason ? ` ${s.reason}` : ''}${text ? `: ${text}` : ''}`,
    );
  }

  async function recoverOne(fault: LocalFault, ctx: ZoneFaultContext): Promise<void> {
    const suffix = `/${encodeURIComponent(fault.id)}`;
    const reply = await call('DELETE', suffix, ctx.signal);
    if (reply.status === 404) return;
    if (reply.status !== 200) throw failure('DELETE', suffix, reply);
    ctx.log(`zone ${fault.zone ?? fault.node} recovered from ${fault.mode} (${fault.id})`);
  }

  return {
    name: 'local',
    describe: (zone, mode) =>
      `ask the local cluster's fault admin endpoint for a '${mode}' fault on every node of ${zone}`,

    async inject(zone, mode, ctx) {
      const reply = await call('POST', '', ctx.signal, { zone, mode });
      if (reply.status !== 201 && reply.status !== 200)
        throw new ZoneFaultRejected(failure('POST', '', reply).message);
      const f = reply.body as LocalFault;
      ctx.log(`zone ${zone} down (${mode}): ${f.nodes.join(', ')} (${f.id})`);
      return { provider: 'local', zone, mode, id: f.id, startedAt: f.startedAt, nodes: f.nodes };
    },

    async revert(handle: ZoneFaultHandle, ctx) {
      if (handle.id !== undefined) {
        const suffix = `/${encodeURIComponent(handle.id)}`;
        const reply = await call('GET', suffix, ctx.signal);
        if (reply.status === 404) return;
        if (reply.status !== 200) throw failure('GET', suffix, reply);
        const f = reply.body as LocalFault;
        // Same id, different fault: the cluster restarted since, and the restart ended ours.
        if (f.zone !== handle.zone || f.mode !== handle.mode || f.startedAt !== handle.startedAt) return;
        return recoverOne(f, ctx);
      }
      const reply = await call('GET', '', ctx.signal);
      if (reply.status !== 200) throw failure('GET', '', reply);
      const items = ((reply.body as { items?: LocalFault[] }).items ?? []).filter(
        (f) => f.zone === handle.zone && f.mode === handle.mode,
      );
      for (const f of items) await recoverOne(f, ctx);
    },
  };
}

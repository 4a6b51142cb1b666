/**
 * One pod log request (`GET …/pods/<pod>/log?container=…&follow=…`), with the kubeconfig's TLS
 * and credentials from client-node (`applyToHTTPSOptions`, as chaos/zone/local.ts does).
 * client-node's own `Log` pipes the body into a stream and never says when a followed log broke
 * off rather than ended; a run needs that difference to know whether a runner's output is
 * complete, so the outcome is explicit here.
 */
import http from 'node:http';
import https from 'node:https';
import type { ClusterClient } from '../../cluster/client.ts';

export type LogEnd = 'ended' | 'broken' | 'aborted';

export class PodLogError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PodLogError';
  }
}

export interface PodLogRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly follow: boolean;
  readonly signal: AbortSignal;
}

/** Resolves how the log ended; rejects with PodLogError when the server refused (e.g. 400 not started yet). */
export async function streamPodLog(
  client: ClusterClient,
  r: PodLogRequest,
  onData: (chunk: Buffer) => void,
): Promise<LogEnd> {
  const path = `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/log`;
  const url = new URL(path, client.server);
  url.searchParams.set('container', r.container);
  url.searchParams.set('follow', String(r.follow));
  const opts: https.RequestOptions = { method: 'GET', headers: { Accept: '*/*' } };
  await client.kc.applyToHTTPSOptions(opts);
  if (r.signal.aborted) return 'aborted';
  const mod = url.protocol === 'http:' ? http : https;
  return new Promise<LogEnd>((resolve, reject) => {
    let settled = false;
    const settle = (end: LogEnd) => {
      if (settled) return;
      settled = true;
      r.signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const req = mod.request(url, opts, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          settled = true;
          r.signal.removeEventListener('abort', onAbort);
          reject(new PodLogError(res.statusCode ?? 0, `${r.pod}: ${res.statusCode}: ${statusMessage(text)}`));
        });
        res.on('error', () => settle(r.signal.aborted ? 'aborted' : 'broken'));
        return;
      }
      res.on('data', (c: Buffer) => {
        if (!settled) onData(c);
      });
      res.on('end', () => settle('ended'));
      // A reset connection ends the response with `aborted`, then `close` without `end`.
      res.on('aborted', () => settle(r.signal.aborted ? 'aborted' : 'broken'));
      res.on('error', () => settle(r.signal.aborted ? 'aborted' : 'broken'));
      res.on('close', () => settle(r.signal.aborted ? 'aborted' : res.complete ? 'ended' : 'broken'));
    });
    const onAbort = () => {
      req.destroy();
      settle('aborted');
    };
    r.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      if (r.signal.aborted) return settle('aborted');
      if (settled) return;
      settled = true;
      r.signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    req.end();
  });
}

function statusMessage(text: string): string {
  try {
    const s = JSON.parse(text) as { message?: unknown };
    if (typeof s.message === 'string') return s.message;
  } catch {
    // not a Status: the text itself says it
  }
  return text.trim().slice(0, 300) || 'no message';
}

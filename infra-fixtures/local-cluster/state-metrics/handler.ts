/**
 * `GET /local-cluster/v1/state-metrics`: the store's objects as kube-state-metrics series, read
 * afresh on every scrape (kube-state-metrics itself serves from a watch cache, equally current).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRoute } from '../api/server.ts';
import { sendError } from '../api/httpIo.ts';
import { errors } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { renderStateMetrics, type StateObjects } from './render.ts';

export const kStateMetricsPath = '/local-cluster/v1/state-metrics';

export function stateObjects(store: Store): StateObjects {
  return {
    pods: store.list('pods').items,
    deployments: store.list('deployments').items,
    hpas: store.list('horizontalpodautoscalers').items,
    nodes: store.list('nodes').items,
  };
}

/** Answers one scrape; failures are sent as Kubernetes Status objects, nothing is thrown. */
export async function handleStateMetrics(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
    const path = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/$/, '');
    if (!path.endsWith('/state-metrics')) throw errors.pathNotFound();
    const text = renderStateMetrics(stateObjects(store));
    res.writeHead(200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
    });
    res.end(text);
  } catch (err) {
    sendError(res, err);
  }
}

/** For `startApiServer({ extraRoutes })`; list it before the fault admin route (see ../sd/index.ts). */
export function stateMetricsRoute(store: Store): ExtraRoute {
  return { prefix: kStateMetricsPath, handle: (req, res) => handleStateMetrics(store, req, res) };
}

/**
 * `metrics.k8s.io/v1beta1` pods and nodes (what `kubectl top` reads), computed on request from the
 * usage provider. Objects without a sample are left out of lists and are 404 on get, as with
 * metrics-server.
 */
import { errors } from '../../store/errors.ts';
import { rfc3339 } from '../../store/util.ts';
import type { KubeObject, StoredObject } from '../../store/types.ts';
import type { NodeUsage, PodUsage, RequestContext } from '../context.ts';
import { sendJson } from '../httpIo.ts';
import { listOf, toTable, parseIncludeObject } from '../representation.ts';

const cpu = (millicores: number): string => `${Math.max(0, Math.round(millicores * 1_000_000))}n`;
const memory = (bytes: number): string => `${Math.max(0, Math.round(bytes / 1024))}Ki`;
const windowOf = (ms: number | undefined): string => `${Math.max(1, Math.round((ms ?? 15_000) / 1000))}s`;

function podMetrics(pod: StoredObject, usage: PodUsage): KubeObject {
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: rfc3339(new Date()),
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    },
    timestamp: rfc3339(new Date(usage.timestamp ?? Date.now())),
    window: windowOf(usage.windowMs),
    containers: usage.containers.map((c) => ({
      name: c.name,
      usage: { cpu: cpu(c.cpuMillicores), memory: memory(c.memoryBytes) },
    })),
  };
}

function nodeMetrics(node: StoredObject, usage: NodeUsage): KubeObject {
  return {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {
      name: node.metadata.name,
      creationTimestamp: rfc3339(new Date()),
      ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
    },
    timestamp: rfc3339(new Date(usage.timestamp ?? Date.now())),
    window: windowOf(usage.windowMs),
    usage: { cpu: cpu(usage.cpuMillicores), memory: memory(usage.memoryBytes) },
  };
}

export function handleMetrics(ctx: RequestContext): void {
  const { route, store, query } = ctx;
  if (ctx.req.method !== 'GET') throw errors.methodNotAllowed();
  if (query.get('watch') === 'true' || query.get('watch') === '1' || route.watchPath)
    throw errors.methodNotAllowed();
  const usage = ctx.providers.usage;
  const forPods = route.type.plural === 'pods';
  const sel = {
    namespace: route.namespace,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
  };
  const sources =
    route.name !== undefined
      ? [store.tryGet(forPods ? 'pods' : 'nodes', route.namespace, route.name)].filter((x) => x !== undefined)
      : store.list(forPods ? 'pods' : 'nodes', sel).items;
  const items: KubeObject[] = [];
  for (const obj of sources) {
    const sample = forPods ? usage?.pod?.(obj) : usage?.node?.(obj);
    if (sample)
      items.push(forPods ? podMetrics(obj, sample as PodUsage) : nodeMetrics(obj, sample as NodeUsage));
  }
  if (route.name !== undefined) {
    if (!items.length)
      throw errors.notFound(forPods ? 'podmetrics' : 'nodemetrics', route.name, 'metrics.k8s.io');
    sendJson(
      ctx.res,
      200,
      ctx.shape === 'table'
        ? toTable(route.type, items, { includeObject: parseIncludeObject(query.get('includeObject')) })
        : items[0],
    );
    return;
  }
  const meta = { resourceVersion: store.resourceVersion };
  sendJson(
    ctx.res,
    200,
    ctx.shape === 'table'
      ? toTable(route.type, items, {
          includeObject: parseIncludeObject(query.get('includeObject')),
          listMeta: meta,
        })
      : listOf(route.type, items, meta, 'object'),
  );
}

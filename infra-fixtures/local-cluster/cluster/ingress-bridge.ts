/**
 * Store → ingress proxy, the ingress-nginx controller's job: the served Ingress objects become the
 * route table, the ready endpoints of every Service they name become backends, and each served
 * Ingress gets the proxy's address in `status.loadBalancer` (what `kubectl get ingress` prints as
 * ADDRESS and how clients discover the URL through the API).
 *
 * Endpoints come from EndpointSlices (ready = Ready ∧ ¬terminating); a Service without slices falls
 * back to its Endpoints object. Each Service port is published under every key an Ingress may use
 * for it: `ns/svc:<port name>`, `ns/svc:<port number>`, and the first port as plain `ns/svc`.
 */
import type { EndpointInput } from '../ingress/backends.ts';
import type { IngressProxy } from '../ingress/proxy.ts';
import { backendKey, type IngressObject } from '../ingress/routes.ts';
import { ApiError } from '../store/errors.ts';
import { jsonEqual } from '../store/json.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject, StoredObject } from '../store/types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface IngressBridgeOptions {
  /** Address published in Ingress status; the proxy listens there. */
  address: { ip: string; port: number };
  /** Class the proxy serves (Ingresses of another class are left alone). @default 'nginx' */
  ingressClassName?: string;
  /** Ignored annotations and similar, each distinct text once. */
  onWarning?: (text: string) => void;
  onError: (err: unknown) => void;
}

export interface IngressBridge {
  /** Recomputes now (tests; normally every relevant store change triggers it). */
  refresh(): void;
  stop(): void;
}

function servedBy(ing: KubeObject, className: string): boolean {
  const cls = ing.spec?.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  return cls === undefined || cls === className;
}

function referencedServices(ingresses: readonly KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const backends = [
      ing.spec?.defaultBackend,
      ...((ing.spec?.rules ?? []) as any[]).flatMap((r) => (r.http?.paths ?? []).map((p: any) => p.backend)),
    ];
    for (const b of backends) if (b?.service?.name) out.add(`${ns}/${b.service.name}`);
  }
  return out;
}

/** Ready endpoints per Service port name ('' for an unnamed port). */
function readyByPortName(store: Store, ns: string, svc: string): Map<string, EndpointInput[]> {
  const out = new Map<string, EndpointInput[]>();
  const add = (name: string, e: EndpointInput) => out.set(name, [...(out.get(name) ?? []), e]);
  const slices = store.list('endpointslices', {
    namespace: ns,
    labelSelector: `kubernetes.io/service-name=${svc}`,
  }).items;
  if (slices.length) {
    for (const slice of slices) {
      for (const port of (slice.ports ?? []) as any[]) {
        for (const ep of (slice.endpoints ?? []) as any[]) {
          if (ep.conditions?.ready === false || !Number.isInteger(port.port)) continue;
          for (const ip of (ep.addresses ?? []) as string[]) {
            add(port.name ?? '', {
              ip,
              port: port.port,
              ...(ep.zone ? { zone: ep.zone } : {}),
              ...(ep.targetRef?.name ? { podName: ep.targetRef.name } : {}),
            });
          }
        }
      }
    }
    return out;
  }
  const endpoints = store.tryGet('endpoints', ns, svc);
  for (const subset of (endpoints?.subsets ?? []) as any[]) {
    for (const port of (subset.ports ?? []) as any[]) {
      for (const a of (subset.addresses ?? []) as any[]) {
        add(port.name ?? '', {
          ip: a.ip,
          port: port.port,
          ...(a.targetRef?.name ? { podName: a.targetRef.name } : {}),
        });
      }
    }
  }
  return out;
}

/** Every backend key an Ingress may name for this Service, with its ready endpoints. */
function serviceBackends(store: Store, ref: string): Map<string, EndpointInput[]> {
  const [ns, name] = ref.split('/') as [string, string];
  const out = new Map<string, EndpointInput[]>();
  const svc = store.tryGet('services', ns, name);
  const ready = readyByPortName(store, ns, name);
  ((svc?.spec?.ports ?? []) as any[]).forEach((sp, i) => {
    const eps = ready.get(sp.name ?? '') ?? [];
    if (sp.name) out.set(backendKey(ns, name, sp.name), eps);
    out.set(backendKey(ns, name, sp.port), eps);
    if (i === 0) out.set(backendKey(ns, name), eps);
  });
  if (!svc) out.set(backendKey(ns, name), []);
  return out;
}

export function startIngressBridge(
  store: Store,
  proxy: IngressProxy,
  options: IngressBridgeOptions,
): IngressBridge {
  const className = options.ingressClassName ?? 'nginx';
  const lbStatus = {
    ingress: [{ ip: options.address.ip, ports: [{ port: options.address.port, protocol: 'TCP' }] }],
  };
  let lastIngresses: unknown;
  const sent = new Map<string, EndpointInput[]>();
  const warned = new Set<string>();
  let queued = false;
  let stopped = false;

  function publishStatus(ing: StoredObject): void {
    if (jsonEqual(ing.status?.loadBalancer, lbStatus)) return;
    try {
      store.mutate(
        'ingresses',
        ing.metadata.namespace,
        ing.metadata.name,
        (d) => {
          d.status = { ...(d.status ?? {}), loadBalancer: lbStatus };
        },
        { subresource: 'status' },
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) options.onError(err);
    }
  }

  function refresh(): void {
    if (stopped) return;
    const ingresses = store
      .list('ingresses')
      .items.filter((i) => !i.metadata.deletionTimestamp && servedBy(i, className));
    const view = ingresses.map((i) => ({ metadata: i.metadata, spec: i.spec }));
    if (!jsonEqual(view, lastIngresses)) {
      lastIngresses = view;
      for (const w of proxy.setIngresses(ingresses as unknown as IngressObject[])) {
        if (warned.has(w)) continue;
        warned.add(w);
        options.onWarning?.(w);
      }
    }
    const wanted = new Map<string, EndpointInput[]>();
    for (const ref of referencedServices(ingresses))
      for (const [key, eps] of serviceBackends(store, ref)) wanted.set(key, eps);
    for (const key of sent.keys()) if (!wanted.has(key)) wanted.set(key, []);
    for (const [key, eps] of wanted) {
      if (jsonEqual(sent.get(key) ?? [], eps)) continue;
      proxy.setBackends(key, eps);
      if (eps.length) sent.set(key, eps);
      else sent.delete(key);
    }
    for (const ing of ingresses) publishStatus(ing);
  }

  const schedule = (): void => {
    if (queued || stopped) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      try {
        refresh();
      } catch (err) {
        options.onError(err);
      }
    });
  };
  const watches = (['ingresses', 'services', 'endpointslices', 'endpoints'] as const).map((s) =>
    store.watch(s, {}, schedule),
  );
  return {
    refresh,
    stop() {
      stopped = true;
      for (const w of watches) w.stop();
    },
  };
}

/**
 * The pods behind a Service, shared by the Endpoints and EndpointSlice controllers (spec §7.3):
 * each selected pod with an IP, its readiness/termination state and the Service ports resolved
 * against the pod (named target ports look up the container port).
 */
import { matchesRequirements, labelSelectorRequirements } from '../store/selectors.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject, StoredObject } from '../store/types.ts';
import { isPodReady, isTerminal, isTerminating } from './podUtil.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface BackendPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface Backend {
  pod: StoredObject;
  ip: string;
  ready: boolean;
  terminating: boolean;
  ports: BackendPort[];
  /** Stable key of the resolved port set, for grouping into subsets/slices. */
  portsKey: string;
}

function resolvePorts(svc: KubeObject, pod: KubeObject): BackendPort[] {
  const out: BackendPort[] = [];
  for (const sp of (svc.spec?.ports ?? []) as any[]) {
    let port: number | undefined;
    const target = sp.targetPort ?? sp.port;
    if (typeof target === 'number') port = target;
    else if (/^\d+$/.test(String(target))) port = Number(target);
    else {
      for (const c of (pod.spec?.containers ?? []) as any[]) {
        const found = ((c.ports ?? []) as any[]).find(
          (p) => p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'),
        );
        if (found) port = found.containerPort;
      }
    }
    if (port === undefined) continue;
    out.push({
      ...(sp.name ? { name: sp.name } : {}),
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return out;
}

export function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length ? sel : undefined;
}

export function serviceBackends(store: Store, svc: StoredObject): Backend[] {
  const sel = selectorOf(svc);
  if (!sel) return [];
  const reqs = labelSelectorRequirements({ matchLabels: sel });
  const publishNotReady = Boolean(svc.spec?.publishNotReadyAddresses);
  const out: Backend[] = [];
  for (const pod of store.list('pods', { namespace: svc.metadata.namespace }).items) {
    const ip = pod.status?.podIP;
    if (!ip || isTerminal(pod) || !matchesRequirements(reqs, pod.metadata.labels)) continue;
    const ports = resolvePorts(svc, pod);
    out.push({
      pod,
      ip,
      ready: publishNotReady || isPodReady(pod),
      terminating: isTerminating(pod),
      ports,
      portsKey: JSON.stringify(ports),
    });
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

export function targetRef(pod: StoredObject): Record<string, string> {
  return {
    kind: 'Pod',
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name,
    uid: pod.metadata.uid,
  };
}

/** Services of a namespace whose selector matches a pod (now or before a label change). */
export function servicesFor(store: Store, pod: KubeObject): StoredObject[] {
  return store.list('services', { namespace: pod.metadata.namespace }).items.filter((s) => selectorOf(s));
}

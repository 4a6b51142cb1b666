/**
 * Resolves a scenario's Kubernetes target from the API: the Deployment (by name or by a label
 * selector over its pod template), the Service that selects its pods, the Ingress that routes to
 * that Service, the HPA that scales it, and the URL to send load to, read from the Ingress's
 * `status.loadBalancer` (the local cluster also publishes the port there) or else from a
 * LoadBalancer Service. Read-only. Every failure names the target field to change.
 */
import type { V1Deployment, V1Ingress, V1LoadBalancerIngress, V1Service } from '@kubernetes/client-node';
import { GauntletError } from '../errors.ts';
import { callApi, isNotFound } from './api-errors.ts';
import type { ClusterClient } from './client.ts';
import { mapSelectorMatches, parseLabelSelector, selectorMatches, selectorToString } from './selector.ts';

export interface KubernetesTargetSpec {
  readonly namespace: string;
  /** Deployment name; or give `selector` to find the Deployment whose pods it matches. */
  readonly deployment?: string;
  readonly selector?: string;
  /** Service name; default the one Service that selects the Deployment's pods. */
  readonly service?: string;
  /** Ingress name; default an Ingress that routes to the Service. */
  readonly ingress?: string;
  /** Use this URL instead of an address read from the API (e.g. a port-forward). */
  readonly url?: string;
}

export interface KubernetesTarget {
  namespace: string;
  deployment: string;
  /** The Deployment's own selector as a label selector string. */
  selector: string;
  podLabels: Record<string, string>;
  service?: string;
  ingress?: string;
  /** The HPA whose scaleTargetRef is the Deployment, if any. */
  hpa?: string;
  url: string;
  /** Host header the Ingress rule routes on, when the rule names a host. */
  hostHeader?: string;
  /** Where `url` came from. */
  urlSource: 'ingress' | 'service' | 'spec';
}

const kDnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function usage(message: string): GauntletError {
  return new GauntletError('GAUNTLET_USAGE', message);
}
function setup(message: string): GauntletError {
  return new GauntletError('GAUNTLET_SETUP', message);
}
function oneOf(names: readonly string[]): string {
  return names.length > 0 ? `one of: ${names.join(', ')}` : 'an existing one';
}

export async function resolveKubernetesTarget(
  client: ClusterClient,
  spec: KubernetesTargetSpec,
): Promise<KubernetesTarget> {
  const ns = spec.namespace;
  if (typeof ns !== 'string' || !kDnsLabel.test(ns)) {
    throw usage(
      `target.namespace: "${String(ns ?? '')}" is not a namespace name; set it to the namespace of the deployment`,
    );
  }
  if (!spec.deployment && !spec.selector) {
    throw usage(
      'target: set target.deployment (a Deployment name) or target.selector (a label selector of its pods)',
    );
  }
  if (spec.url !== undefined && !/^https?:\/\/[^/]+/.test(spec.url)) {
    throw usage(`target.url: "${spec.url}" is not an http(s) URL; use e.g. http://127.0.0.1:8080`);
  }
  await requireNamespace(client, ns);
  const deployment = await findDeployment(client, spec);
  const name = deployment.metadata!.name!;
  const podLabels = { ...(deployment.spec?.template?.metadata?.labels ?? {}) };
  const selector = selectorToString(deployment.spec?.selector ?? {});

  const services = (
    await callApi(client, `list services in ${ns}`, () =>
      client.core.listNamespacedService({ namespace: ns }),
    )
  ).items;
  const ingresses = (
    await callApi(client, `list ingresses in ${ns}`, () =>
      client.networking.listNamespacedIngress({ namespace: ns }),
    )
  ).items;
  const service = pickService(spec, services, ingresses, name, podLabels);
  const ingress = pickIngress(spec, ingresses, service);
  const hpa = await findHpa(client, ns, name);

  const base = {
    namespace: ns,
    deployment: name,
    selector,
    podLabels,
    ...(service ? { service: service.metadata!.name! } : {}),
    ...(ingress ? { ingress: ingress.metadata!.name! } : {}),
    ...(hpa ? { hpa } : {}),
  };
  if (spec.url !== undefined) return { ...base, url: spec.url.replace(/\/+$/, ''), urlSource: 'spec' };
  if (ingress) return { ...base, ...ingressAddress(ingress, service), urlSource: 'ingress' };
  if (service) return { ...base, url: serviceAddress(service, ns), urlSource: 'service' };
  throw setup(
    `target.service: no Service in namespace "${ns}" selects the pods of deployment "${name}" (labels ${labelText(podLabels)}); create one with an Ingress, or set target.url`,
  );
}

async function requireNamespace(client: ClusterClient, ns: string): Promise<void> {
  try {
    await callApi(client, `read namespace ${ns}`, () => client.core.readNamespace({ name: ns }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const known = await client.core
      .listNamespace()
      .then((l) => l.items.map((n) => n.metadata?.name ?? ''))
      .catch(() => []);
    throw setup(
      `target.namespace: namespace "${ns}" not found in context "${client.contextName}"; deploy the stack into it or set target.namespace to ${oneOf(known)}`,
    );
  }
}

async function findDeployment(client: ClusterClient, spec: KubernetesTargetSpec): Promise<V1Deployment> {
  const ns = spec.namespace;
  const listAll = () =>
    callApi(client, `list deployments in ${ns}`, () =>
      client.apps.listNamespacedDeployment({ namespace: ns }),
    );
  let wanted;
  if (spec.selector !== undefined) {
    try {
      wanted = parseLabelSelector(spec.selector);
    } catch (err) {
      throw usage(`target.selector: ${(err as Error).message}`);
    }
  }
  if (spec.deployment) {
    let d: V1Deployment;
    try {
      d = await callApi(client, `read deployment ${ns}/${spec.deployment}`, () =>
        client.apps.readNamespacedDeployment({ name: spec.deployment!, namespace: ns }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const names = (await listAll()).items.map((x) => x.metadata?.name ?? '');
      throw setup(
        names.length === 0
          ? `target.deployment: namespace "${ns}" has no deployments; deploy the stack first`
          : `target.deployment: no deployment "${spec.deployment}" in namespace "${ns}"; set it to ${oneOf(names)}`,
      );
    }
    const labels = d.spec?.template?.metadata?.labels ?? {};
    if (wanted && !selectorMatches(wanted, labels)) {
      throw usage(
        `target.selector: "${spec.selector}" does not match the pods of deployment "${spec.deployment}" (labels ${labelText(labels)}); fix it or leave it out`,
      );
    }
    return d;
  }
  const all = (await listAll()).items;
  const matching = all.filter((d) => selectorMatches(wanted!, d.spec?.template?.metadata?.labels ?? {}));
  if (matching.length === 1) return matching[0]!;
  const names = (matching.length === 0 ? all : matching).map((d) => d.metadata?.name ?? '');
  throw setup(
    matching.length === 0
      ? `target.selector: no deployment in namespace "${ns}" has pods labelled "${spec.selector}"; fix the selector or set target.deployment to ${oneOf(names)}`
      : `target.selector: "${spec.selector}" matches the pods of ${matching.length} deployments; set target.deployment to ${oneOf(names)}`,
  );
}

function backendServices(ing: V1Ingress): Set<string> {
  const out = new Set<string>();
  const def = ing.spec?.defaultBackend?.service?.name;
  if (def) out.add(def);
  for (const rule of ing.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) if (p.backend.service?.name) out.add(p.backend.service.name);
  }
  return out;
}

function pickService(
  spec: KubernetesTargetSpec,
  services: readonly V1Service[],
  ingresses: readonly V1Ingress[],
  deployment: string,
  podLabels: Record<string, string>,
): V1Service | undefined {
  const nameOf = (s: V1Service) => s.metadata?.name ?? '';
  if (spec.service) {
    const svc = services.find((s) => nameOf(s) === spec.service);
    if (!svc) {
      throw setup(
        `target.service: no service "${spec.service}" in namespace "${spec.namespace}"; set it to ${oneOf(services.map(nameOf))} or leave it out`,
      );
    }
    if (!mapSelectorMatches(svc.spec?.selector, podLabels)) {
      throw setup(
        `target.service: service "${spec.service}" (selector ${labelText(svc.spec?.selector ?? {})}) does not select the pods of deployment "${deployment}" (labels ${labelText(podLabels)}); name the Service that does`,
      );
    }
    return svc;
  }
  const candidates = services.filter((s) => mapSelectorMatches(s.spec?.selector, podLabels));
  if (candidates.length <= 1) return candidates[0];
  // Several Services select the pods (say web and web-metrics): the one an Ingress routes to wins.
  const routed = new Set(ingresses.flatMap((i) => [...backendServices(i)]));
  const viaIngress = candidates.filter((s) => routed.has(nameOf(s)));
  if (viaIngress.length === 1) return viaIngress[0];
  throw usage(
    `target.service: ${candidates.length} services select the pods of deployment "${deployment}"; set target.service to ${oneOf(candidates.map(nameOf))}`,
  );
}

function pickIngress(
  spec: KubernetesTargetSpec,
  ingresses: readonly V1Ingress[],
  service: V1Service | undefined,
): V1Ingress | undefined {
  const nameOf = (i: V1Ingress) => i.metadata?.name ?? '';
  const svcName = service?.metadata?.name;
  if (spec.ingress) {
    const ing = ingresses.find((i) => nameOf(i) === spec.ingress);
    if (!ing) {
      throw setup(
        `target.ingress: no ingress "${spec.ingress}" in namespace "${spec.namespace}"; set it to ${oneOf(ingresses.map(nameOf))} or leave it out`,
      );
    }
    if (svcName && !backendServices(ing).has(svcName)) {
      throw setup(
        `target.ingress: ingress "${spec.ingress}" does not route to service "${svcName}"; name the Ingress that does, or leave target.ingress out`,
      );
    }
    return ing;
  }
  if (!svcName) return undefined;
  const routing = ingresses
    .filter((i) => backendServices(i).has(svcName))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  // Prefer one that already has an address.
  return routing.find((i) => firstAddress(i.status?.loadBalancer?.ingress)) ?? routing[0];
}

function firstAddress(list: readonly V1LoadBalancerIngress[] | undefined): V1LoadBalancerIngress | undefined {
  return list?.find((a) => a.ip || a.hostname);
}

function hostPart(a: V1LoadBalancerIngress): string {
  const host = a.ip || a.hostname || '';
  return host.includes(':') ? `[${host}]` : host;
}

function ingressAddress(
  ing: V1Ingress,
  service: V1Service | undefined,
): { url: string; hostHeader?: string } {
  const name = ing.metadata?.name ?? '';
  const addr = firstAddress(ing.status?.loadBalancer?.ingress);
  if (!addr) {
    throw new GauntletError(
      'GAUNTLET_TARGET_UNREACHABLE',
      `target.ingress: ingress "${name}" has no address yet (status.loadBalancer.ingress is empty); wait until its ingress controller${ing.spec?.ingressClassName ? ` (class "${ing.spec.ingressClassName}")` : ''} publishes one, or set target.url`,
    );
  }
  const tls = (ing.spec?.tls ?? []).length > 0;
  const published = addr.ports?.find((p) => !p.error && (p.protocol ?? 'TCP') === 'TCP')?.port;
  const port = published ?? (tls ? 443 : 80);
  const https = port === 443 || (tls && port !== 80);
  const svcName = service?.metadata?.name;
  const rule = (ing.spec?.rules ?? []).find(
    (r) =>
      r.host &&
      !r.host.startsWith('*') &&
      r.http?.paths.some((p) => !svcName || p.backend.service?.name === svcName),
  );
  const defaultPort = https ? 443 : 80;
  const url = `${https ? 'https' : 'http'}://${hostPart(addr)}${port === defaultPort ? '' : `:${port}`}`;
  return { url, ...(rule?.host ? { hostHeader: rule.host } : {}) };
}

function serviceAddress(svc: V1Service, ns: string): string {
  const name = svc.metadata?.name ?? '';
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type !== 'LoadBalancer') {
    throw new GauntletError(
      'GAUNTLET_TARGET_UNREACHABLE',
      `target.ingress: service "${name}" is type ${type} and no Ingress in namespace "${ns}" routes to it, so there is no address to send load to; add an Ingress for it, make it type LoadBalancer, or set target.url (e.g. a kubectl port-forward address)`,
    );
  }
  const addr = firstAddress(svc.status?.loadBalancer?.ingress);
  if (!addr) {
    throw new GauntletError(
      'GAUNTLET_TARGET_UNREACHABLE',
      `target.service: LoadBalancer service "${name}" has no address yet (status.loadBalancer.ingress is empty); wait for the load balancer, or set target.url`,
    );
  }
  const specPort = svc.spec?.ports?.[0];
  const port = addr.ports?.find((p) => !p.error)?.port ?? specPort?.port ?? 80;
  const https = port === 443 || specPort?.name === 'https';
  const defaultPort = https ? 443 : 80;
  return `${https ? 'https' : 'http'}://${hostPart(addr)}${port === defaultPort ? '' : `:${port}`}`;
}

async function findHpa(client: ClusterClient, ns: string, deployment: string): Promise<string | undefined> {
  try {
    const list = await client.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns });
    const hpa = list.items
      .filter(
        (h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment,
      )
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
    return hpa?.metadata?.name;
  } catch {
    // Autoscaling is optional: a cluster without the API (or without rights to it) has no HPA for us.
    return undefined;
  }
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(',') : '(none)';
}

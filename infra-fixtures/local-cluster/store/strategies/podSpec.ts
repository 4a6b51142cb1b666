/**
 * Pod spec defaulting shared by pods and pod templates (upstream `SetDefaults_PodSpec` and
 * container defaults). Templates and the pods made from them must default identically, or the
 * Deployment controller would see every RS template as "changed".
 */
import { invalid, required } from './types.ts';
import type { StatusCause } from '../errors.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

function defaultProbe(probe: any): void {
  if (!probe || typeof probe !== 'object') return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
  if (probe.httpGet) probe.httpGet.path ??= '/';
}

function defaultContainer(c: any): void {
  if (!c || typeof c !== 'object') return;
  const image: string = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1];
  c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** Defaults every pod spec gets, pods and templates alike. */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) defaultContainer(c);
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) defaultContainer(c);
}

const kDefaultTolerationKeys = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/**
 * Defaults only real pods get (SetDefaults_Pod plus the ServiceAccount, Priority and
 * DefaultTolerationSeconds admission plugins, spec §7.4).
 */
export function defaultPodOnly(spec: any): void {
  spec.enableServiceLinks ??= true;
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    const r = c?.resources;
    if (r?.limits && typeof r.limits === 'object') {
      r.requests = { ...r.limits, ...(r.requests ?? {}) };
    }
  }
  const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of kDefaultTolerationKeys) {
    const covered = tolerations.some(
      (t) =>
        (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'),
    );
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** Upstream QoS classes: Guaranteed (requests = limits for cpu and memory), BestEffort, Burstable. */
export function qosClass(spec: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: any[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r])))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function validatePodSpec(spec: any, prefix: string): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [required(prefix)];
  const causes: StatusCause[] = [];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${prefix}.containers`)];
  const names = new Set<string>();
  containers.forEach((c: any, i: number) => {
    const f = `${prefix}.containers[${i}]`;
    if (!c || typeof c !== 'object') return causes.push(invalid(f, 'must be an object'));
    if (typeof c.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c.name)) {
      causes.push(
        c.name
          ? invalid(`${f}.name`, `Invalid value: "${c.name}": must be a DNS-1123 label`)
          : required(`${f}.name`),
      );
    } else if (names.has(c.name))
      causes.push(invalid(`${f}.name`, `Duplicate value: "${c.name}"`, 'FieldValueDuplicate'));
    else names.add(c.name);
    if (typeof c.image !== 'string' || !c.image) causes.push(required(`${f}.image`));
    return undefined;
  });
  return causes;
}

/** Strategies for services, namespaces, nodes, HPAs and PDBs. */
import type { StatusCause } from '../errors.ts';
import type { KubeObject, StoredObject } from '../types.ts';
import { invalid, required, type Strategy, type StrategyContext } from './types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

function allocateClusterIp(ctx: StrategyContext): string {
  const used = new Set(ctx.list('services').flatMap((s) => s.spec?.clusterIPs ?? [s.spec?.clusterIP]));
  // 10.96.0.0/12 like a default kube-apiserver; .0.1 is left for a `kubernetes` service.
  for (let n = 10; n < 1 << 20; n++) {
    const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
    if (!used.has(ip)) return ip;
  }
  throw new Error('service cluster IP range exhausted');
}

function allocateNodePort(ctx: StrategyContext, taken: Set<number>): number {
  for (const s of ctx.list('services'))
    for (const p of s.spec?.ports ?? []) if (p.nodePort) taken.add(p.nodePort);
  for (let port = 30000; port <= 32767; port++) {
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('service node port range exhausted');
}

function defaultService(obj: KubeObject, ctx: StrategyContext, old?: StoredObject): void {
  const spec = (obj.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    if (old?.spec?.clusterIP && (spec.clusterIP === undefined || spec.clusterIP === ''))
      spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIP) spec.clusterIP = allocateClusterIp(ctx);
    spec.clusterIPs = [spec.clusterIP];
    if (spec.clusterIP !== 'None') {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  const taken = new Set<number>();
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      const prev = (old?.spec?.ports ?? []).find((o: any) => o.port === p.port && o.protocol === p.protocol);
      p.nodePort ??= prev?.nodePort ?? allocateNodePort(ctx, taken);
    }
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
}

function validateService(obj: KubeObject, old: StoredObject | undefined): StatusCause[] {
  const spec = obj.spec ?? {};
  const causes: StatusCause[] = [];
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
  if (!types.includes(spec.type))
    causes.push(
      invalid(
        'spec.type',
        `Unsupported value: "${spec.type}": supported values: "${types.join('", "')}"`,
        'FieldValueNotSupported',
      ),
    );
  const ports = spec.ports;
  if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None' && (!Array.isArray(ports) || !ports.length))
    causes.push(required('spec.ports'));
  (Array.isArray(ports) ? ports : []).forEach((p: any, i: number) => {
    if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535)
      causes.push(
        invalid(
          `spec.ports[${i}].port`,
          `Invalid value: ${JSON.stringify(p?.port)}: must be between 1 and 65535, inclusive`,
        ),
      );
  });
  if (old?.spec?.clusterIP && spec.clusterIP !== old.spec.clusterIP)
    causes.push(invalid('spec.clusterIPs[0]', 'Invalid value: field is immutable'));
  return causes;
}

export const serviceStrategy: Strategy = {
  prepareForCreate: (obj, ctx) => defaultService(obj, ctx),
  prepareForUpdate: (obj, old, ctx) => defaultService(obj, ctx, old),
  initialStatus: () => ({ loadBalancer: {} }),
  validate: validateService,
};

function defaultNamespace(obj: KubeObject): void {
  obj.metadata.labels = {
    ...(obj.metadata.labels ?? {}),
    'kubernetes.io/metadata.name': obj.metadata.name ?? '',
  };
  obj.spec ??= {};
  obj.spec.finalizers ??= ['kubernetes'];
}

export const namespaceStrategy: Strategy = {
  prepareForCreate: defaultNamespace,
  prepareForUpdate: defaultNamespace,
  initialStatus: () => ({ phase: 'Active' }),
};

const kUnschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Keeps the unschedulable taint in step with `spec.unschedulable`, as TaintNodesByCondition does upstream. */
function syncUnschedulableTaint(obj: KubeObject): void {
  obj.spec ??= {};
  const taints: any[] = Array.isArray(obj.spec.taints) ? obj.spec.taints : [];
  const has = taints.some(
    (t) => t.key === kUnschedulableTaint.key && t.effect === kUnschedulableTaint.effect,
  );
  if (obj.spec.unschedulable && !has)
    obj.spec.taints = [
      ...taints,
      { ...kUnschedulableTaint, timeAdded: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    ];
  else if (!obj.spec.unschedulable && has) {
    const rest = taints.filter(
      (t) => !(t.key === kUnschedulableTaint.key && t.effect === kUnschedulableTaint.effect),
    );
    if (rest.length) obj.spec.taints = rest;
    else delete obj.spec.taints;
  }
}

export const nodeStrategy: Strategy = {
  prepareForCreate: syncUnschedulableTaint,
  prepareForUpdate: syncUnschedulableTaint,
};

function defaultHpa(obj: KubeObject): void {
  const spec = (obj.spec ??= {});
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || !spec.metrics.length) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp ??= {};
    spec.behavior.scaleUp.stabilizationWindowSeconds ??= 0;
    spec.behavior.scaleUp.selectPolicy ??= 'Max';
    spec.behavior.scaleUp.policies ??= [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ];
    spec.behavior.scaleDown ??= {};
    spec.behavior.scaleDown.stabilizationWindowSeconds ??= 300;
    spec.behavior.scaleDown.selectPolicy ??= 'Max';
    spec.behavior.scaleDown.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
}

export const hpaStrategy: Strategy = {
  prepareForCreate: defaultHpa,
  prepareForUpdate: defaultHpa,
  initialStatus: () => ({ currentReplicas: 0, desiredReplicas: 0 }),
  validate(obj) {
    const spec = obj.spec ?? {};
    const causes: StatusCause[] = [];
    if (!spec.scaleTargetRef?.kind || !spec.scaleTargetRef?.name)
      causes.push(required('spec.scaleTargetRef'));
    if (!Number.isInteger(spec.maxReplicas) || spec.maxReplicas < 1)
      causes.push(
        invalid(
          'spec.maxReplicas',
          `Invalid value: ${JSON.stringify(spec.maxReplicas)}: must be greater than or equal to 1`,
        ),
      );
    if (Number.isInteger(spec.maxReplicas) && spec.minReplicas > spec.maxReplicas)
      causes.push(
        invalid(
          'spec.maxReplicas',
          `Invalid value: ${spec.maxReplicas}: must be greater than or equal to \`minReplicas\``,
        ),
      );
    return causes;
  },
};

export const pdbStrategy: Strategy = {
  initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  validate(obj) {
    const spec = obj.spec ?? {};
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      return [invalid('spec', 'Invalid value: minAvailable and maxUnavailable cannot be both set')];
    }
    return [];
  },
};

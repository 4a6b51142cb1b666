/**
 * Shape checks on the pod the kubelet is handed. The API server validates user input; these catch
 * wiring mistakes (wrong node, half-built object) with a message naming the field.
 */
import { KubeletError } from './errors.ts';
import type { Pod } from './types.ts';

function fail(where: string, message: string): never {
  throw new KubeletError('Invalid', `${where}: ${message}`);
}

export function validatePod(value: unknown, nodeName: string): asserts value is Pod {
  const pod = value as Pod | undefined;
  if (typeof pod?.metadata?.name !== 'string' || pod.metadata.name === '') {
    fail('pod', 'metadata.name must be a non-empty string');
  }
  const where = `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  if (pod.spec?.nodeName !== nodeName) {
    fail(where, `spec.nodeName is "${String(pod.spec?.nodeName)}" but this kubelet runs node "${nodeName}"`);
  }
  const containers = pod.spec.containers;
  if (!Array.isArray(containers) || containers.length === 0)
    fail(where, 'spec.containers must list at least one container');
  const names = new Set<string>();
  containers.forEach((c, i) => {
    if (typeof c?.name !== 'string' || c.name === '')
      fail(where, `spec.containers[${i}].name must be a non-empty string`);
    if (names.has(c.name)) fail(where, `spec.containers[${i}].name "${c.name}" is used twice`);
    names.add(c.name);
    if (typeof c.image !== 'string' || c.image === '')
      fail(where, `spec.containers[${i}].image must be a non-empty string`);
    for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
      if (c[kind]?.grpc)
        fail(where, `spec.containers[${i}].${kind}.grpc is not supported; use httpGet, tcpSocket or exec`);
    }
  });
  const policy = pod.spec.restartPolicy;
  if (policy !== undefined && !['Always', 'OnFailure', 'Never'].includes(policy)) {
    fail(where, `spec.restartPolicy must be Always, OnFailure or Never, not "${String(policy)}"`);
  }
  const grace = pod.spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (typeof grace !== 'number' || grace < 0)) {
    fail(where, 'spec.terminationGracePeriodSeconds must be a number ≥ 0');
  }
}

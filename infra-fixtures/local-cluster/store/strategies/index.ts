/** Strategy lookup plus the metadata validation every kind shares (names, labels). */
import type { StatusCause } from '../errors.ts';
import type { StorageName } from '../registry.ts';
import type { KubeObject } from '../types.ts';
import { crdStrategy } from './crd.ts';
import { hpaStrategy, namespaceStrategy, nodeStrategy, pdbStrategy, serviceStrategy } from './core.ts';
import { invalid } from './types.ts';
import type { Strategy } from './types.ts';
import { daemonSetStrategy, deploymentStrategy, podStrategy, replicaSetStrategy } from './workloads.ts';

export type { Strategy, StrategyContext } from './types.ts';

const strategies: Partial<Record<StorageName, Strategy>> = {
  pods: podStrategy,
  deployments: deploymentStrategy,
  replicasets: replicaSetStrategy,
  daemonsets: daemonSetStrategy,
  services: serviceStrategy,
  namespaces: namespaceStrategy,
  nodes: nodeStrategy,
  horizontalpodautoscalers: hpaStrategy,
  poddisruptionbudgets: pdbStrategy,
  customresourcedefinitions: crdStrategy,
};

export function strategyFor(storage: StorageName): Strategy {
  return strategies[storage] ?? {};
}

const kSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const kLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const kDns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const kLabelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const kLabelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function nameCause(storage: StorageName, name: string): StatusCause | undefined {
  if (storage === 'services') {
    if (kDns1035.test(name) && name.length <= 63) return undefined;
    return invalid(
      'metadata.name',
      `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  if (storage === 'namespaces') {
    if (kLabel.test(name) && name.length <= 63) return undefined;
    return invalid(
      'metadata.name',
      `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  }
  if (kSubdomain.test(name) && name.length <= 253) return undefined;
  return invalid(
    'metadata.name',
    `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  );
}

function labelCauses(labels: unknown): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels))
    return [invalid('metadata.labels', 'Invalid value: must be a map of strings')];
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : '';
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if (
      (slash >= 0 && (!kSubdomain.test(prefix) || prefix.length > 253)) ||
      !kLabelName.test(name) ||
      name.length > 63
    ) {
      causes.push(
        invalid(
          'metadata.labels',
          `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
    }
    if (typeof v !== 'string' || !kLabelValue.test(v) || v.length > 63) {
      causes.push(
        invalid(
          'metadata.labels',
          `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        ),
      );
    }
  }
  return causes;
}

function annotationCauses(annotations: unknown): StatusCause[] {
  if (annotations === undefined || annotations === null) return [];
  if (
    typeof annotations !== 'object' ||
    Array.isArray(annotations) ||
    Object.values(annotations).some((v) => typeof v !== 'string')
  ) {
    return [invalid('metadata.annotations', 'Invalid value: must be a map of strings')];
  }
  return [];
}

export function validateMetadata(storage: StorageName, obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name ?? '';
  const nc = nameCause(storage, name);
  if (nc) causes.push(nc);
  causes.push(...labelCauses(obj.metadata.labels), ...annotationCauses(obj.metadata.annotations));
  if (obj.metadata.finalizers !== undefined && !Array.isArray(obj.metadata.finalizers)) {
    causes.push(invalid('metadata.finalizers', 'Invalid value: must be a list of strings'));
  }
  if (obj.metadata.ownerReferences !== undefined && !Array.isArray(obj.metadata.ownerReferences)) {
    causes.push(invalid('metadata.ownerReferences', 'Invalid value: must be a list'));
  }
  return causes;
}

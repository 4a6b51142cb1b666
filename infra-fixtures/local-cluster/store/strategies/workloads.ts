/** Strategies for pods and the workload kinds that template them (spec §1, §7.1 defaults). */
import { canonicalJson } from '../json.ts';
import { labelSelectorRequirements, matchesRequirements } from '../selectors.ts';
import type { StatusCause } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { defaultPodOnly, defaultPodSpec, qosClass, validatePodSpec } from './podSpec.ts';
import { invalid, required, type Strategy } from './types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Pod spec with the fields upstream lets an update change blanked out. */
function immutablePodView(spec: any, oldNodeName: string | undefined): string {
  const s = JSON.parse(JSON.stringify(spec ?? {}));
  for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) delete c.image;
  delete s.tolerations;
  delete s.activeDeadlineSeconds;
  delete s.terminationGracePeriodSeconds;
  delete s.schedulingGates;
  if (!oldNodeName) delete s.nodeName;
  return canonicalJson(s);
}

export const podStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.spec ??= {};
    defaultPodSpec(obj.spec);
    defaultPodOnly(obj.spec);
  },
  prepareForUpdate(obj) {
    obj.spec ??= {};
    defaultPodSpec(obj.spec);
    defaultPodOnly(obj.spec);
  },
  initialStatus: (obj) => ({ phase: 'Pending', qosClass: qosClass(obj.spec) }),
  validate(obj, old) {
    const causes = validatePodSpec(obj.spec, 'spec');
    if (old && !causes.length) {
      if (old.spec?.nodeName && obj.spec?.nodeName !== old.spec.nodeName) {
        causes.push(
          invalid(
            'spec.nodeName',
            'Forbidden: pod is already bound to a node; nodeName is immutable',
            'FieldValueForbidden',
          ),
        );
      } else if (
        immutablePodView(obj.spec, old.spec?.nodeName) !== immutablePodView(old.spec, old.spec?.nodeName)
      ) {
        causes.push(
          invalid(
            'spec',
            'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
            'FieldValueForbidden',
          ),
        );
      }
    }
    return causes;
  },
};

function defaultTemplate(obj: KubeObject): void {
  obj.spec ??= {};
  obj.spec.template ??= {};
  obj.spec.template.metadata ??= {};
  // Go clients serialise a template's zero creationTimestamp as null (`rollout undo` sends the old
  // ReplicaSet's template so); the API server decodes it as unset. Kept, it would make the template
  // differ from that ReplicaSet's and the undo would create a new ReplicaSet instead of reusing it.
  if (obj.spec.template.metadata.creationTimestamp === null)
    delete obj.spec.template.metadata.creationTimestamp;
  obj.spec.template.spec ??= {};
  defaultPodSpec(obj.spec.template.spec);
}

/** Selector present, non-empty, and matching the template labels; immutable on apps/v1. */
function validateSelectorAndTemplate(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const sel = obj.spec?.selector;
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
    causes.push(
      sel
        ? invalid('spec.selector', 'Invalid value: empty selector is invalid for deployment')
        : required('spec.selector'),
    );
    return causes;
  }
  let reqs;
  try {
    reqs = labelSelectorRequirements(sel);
  } catch (e) {
    return [invalid('spec.selector', (e as Error).message)];
  }
  if (!matchesRequirements(reqs, obj.spec?.template?.metadata?.labels)) {
    causes.push(
      invalid(
        'spec.template.metadata.labels',
        `Invalid value: ${JSON.stringify(obj.spec?.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
      ),
    );
  }
  if (old && canonicalJson(old.spec?.selector) !== canonicalJson(sel)) {
    causes.push(invalid('spec.selector', `Invalid value: ${JSON.stringify(sel)}: field is immutable`));
  }
  const replicas = obj.spec?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    causes.push(
      invalid(
        'spec.replicas',
        `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      ),
    );
  }
  causes.push(...validatePodSpec(obj.spec?.template?.spec, 'spec.template.spec'));
  return causes;
}

function defaultDeployment(obj: KubeObject): void {
  defaultTemplate(obj);
  const spec = obj.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

export const deploymentStrategy: Strategy = {
  prepareForCreate: defaultDeployment,
  prepareForUpdate: defaultDeployment,
  initialStatus: () => ({}),
  validate: (obj, old) => validateSelectorAndTemplate(obj, old),
};

function defaultReplicaSet(obj: KubeObject): void {
  defaultTemplate(obj);
  obj.spec.replicas ??= 1;
}

export const replicaSetStrategy: Strategy = {
  prepareForCreate: defaultReplicaSet,
  prepareForUpdate: defaultReplicaSet,
  initialStatus: () => ({ replicas: 0 }),
  validate: (obj, old) => validateSelectorAndTemplate(obj, old),
};

function defaultDaemonSet(obj: KubeObject): void {
  defaultTemplate(obj);
  const spec = obj.spec;
  spec.updateStrategy ??= { type: 'RollingUpdate' };
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
}

export const daemonSetStrategy: Strategy = {
  prepareForCreate: defaultDaemonSet,
  prepareForUpdate: defaultDaemonSet,
  initialStatus: () => ({
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  }),
  validate: (obj, old) => validateSelectorAndTemplate(obj, old),
};

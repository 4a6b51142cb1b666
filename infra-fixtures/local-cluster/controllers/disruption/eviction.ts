/**
 * The eviction subresource with PodDisruptionBudget checks (upstream
 * pkg/registry/core/pod/storage/eviction.go), as an EvictionHandler for the API server:
 *
 * - pods that already are terminal, Pending or terminating are deleted without consulting budgets;
 * - more than one matching budget → 500, as upstream does not support it;
 * - an unready pod is deleted without using up the budget when the policy is AlwaysAllow, or
 *   (default IfHealthyBudget) when the budget is currently met;
 * - otherwise the budget must allow a disruption: it is decremented and the pod recorded in
 *   `status.disruptedPods`, or the request fails with 429 TooManyRequests.
 *
 * The evicted pod gets the DisruptionTarget condition before it is deleted. The handler is
 * synchronous store work, so concurrent evictions (kubectl drain runs them in parallel) are
 * serialized: two requests can never spend the same disruption.
 */
import type { EvictionHandler } from '../../api/context.ts';
import { ApiError, errors } from '../../store/errors.ts';
import { matchesLabelSelector } from '../../store/selectors.ts';
import type { Store } from '../../store/store.ts';
import type { DeleteOptions, StoredObject } from '../../store/types.ts';
import { rfc3339 } from '../../store/util.ts';
import { isPodReady } from '../podUtil.ts';
import { updateDisruptionAllowedCondition } from './budget.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface EvictionHandlerOptions {
  /** Clock for `disruptedPods` and condition timestamps (epoch ms); default the store's clock. */
  now?: () => number;
}

/** Entries beyond this mean evictions the disruption controller has not caught up with. */
const kMaxDisruptedPodSize = 2000;

const kViolation = "Cannot evict pod as it would violate the pod's disruption budget.";

function stillProcessing(pdbName: string): ApiError {
  return errors.tooManyRequests(kViolation, {
    retryAfterSeconds: 10,
    causes: [
      {
        reason: 'DisruptionBudget',
        message: `The disruption budget ${pdbName} is still being processed by the server.`,
      },
    ],
  });
}

function isDryRun(value: unknown): boolean {
  return Array.isArray(value) ? value.includes('All') : value === true;
}

/** Only the fields `store.delete` understands; the body may carry kind/apiVersion/dryRun lists. */
function cleanDeleteOptions(raw: DeleteOptions): DeleteOptions {
  const out: DeleteOptions = {};
  if (raw.gracePeriodSeconds !== undefined) out.gracePeriodSeconds = raw.gracePeriodSeconds;
  if (raw.propagationPolicy !== undefined) out.propagationPolicy = raw.propagationPolicy;
  if (raw.orphanDependents !== undefined) out.orphanDependents = raw.orphanDependents;
  if (raw.preconditions) out.preconditions = { ...raw.preconditions };
  return out;
}

function resourceVersionIsUnset(options: DeleteOptions): boolean {
  return !options.preconditions?.resourceVersion;
}

function withResourceVersion(options: DeleteOptions, resourceVersion: string): DeleteOptions {
  return { ...options, preconditions: { ...(options.preconditions ?? {}), resourceVersion } };
}

function canIgnorePDB(pod: StoredObject): boolean {
  const phase = pod.status?.phase;
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Pending' ||
    Boolean(pod.metadata.deletionTimestamp)
  );
}

function shouldEnforceResourceVersion(pod: StoredObject): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

export function createEvictionHandler(store: Store, options: EvictionHandlerOptions = {}): EvictionHandler {
  const now = options.now ?? (() => store.now().getTime());

  /** Marks the pod DisruptionTarget=True, then deletes it with the (precondition-adjusted) options. */
  function addConditionAndDeletePod(pod: StoredObject, deleteOptions: DeleteOptions, dryRun: boolean): void {
    const { namespace, name } = pod.metadata;
    let opts = deleteOptions;
    if (!dryRun) {
      const latest = store.get('pods', namespace, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== latest.metadata.uid)
        throw errors.conflict(
          'Pod',
          name,
          '',
          `the UID in the precondition (${pre.uid}) does not match the UID in record (${latest.metadata.uid}). The object might have been deleted and then recreated`,
        );
      if (pre?.resourceVersion && pre.resourceVersion !== latest.metadata.resourceVersion)
        throw errors.conflict(
          'Pod',
          name,
          '',
          `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${latest.metadata.resourceVersion}). The object might have been modified`,
        );
      const nowIso = rfc3339(new Date(now()));
      const updated = store.mutate(
        'pods',
        namespace,
        name,
        (d) => {
          const conditions: any[] = (d.status ??= {}).conditions ?? (d.status.conditions = []);
          const existing = conditions.find((c) => c.type === 'DisruptionTarget');
          const next = {
            type: 'DisruptionTarget',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: existing?.status === 'True' ? existing.lastTransitionTime : nowIso,
            reason: 'EvictionByEvictionAPI',
            message: 'Eviction API: evicting',
          };
          if (existing) Object.assign(existing, next);
          else conditions.push(next);
        },
        { subresource: 'status' },
      );
      // Our own condition write moved the resourceVersion the caller pinned.
      if (!resourceVersionIsUnset(opts)) opts = withResourceVersion(opts, updated.metadata.resourceVersion);
    }
    store.delete('pods', namespace, name, { ...opts, dryRun });
  }

  /** Spends one disruption of `pdb` for `podName`, or throws the 429/403 upstream returns. */
  function checkAndDecrement(pdb: StoredObject, podName: string, dryRun: boolean): void {
    const status = structuredClone(pdb.status ?? {});
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0))
      throw stillProcessing(pdb.metadata.name);
    const allowed = Number(status.disruptionsAllowed ?? 0);
    if (allowed < 0)
      throw errors.forbidden(
        'poddisruptionbudget',
        pdb.metadata.name,
        'pdb disruptions allowed is negative',
        'policy',
      );
    if (Object.keys(status.disruptedPods ?? {}).length > kMaxDisruptedPodSize)
      throw errors.forbidden(
        'poddisruptionbudget',
        pdb.metadata.name,
        'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
        'policy',
      );
    if (allowed === 0)
      throw errors.tooManyRequests(kViolation, {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
          },
        ],
      });
    status.disruptionsAllowed = allowed - 1;
    if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now());
    if (dryRun) return;
    status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(new Date(now())) };
    const written = { ...pdb, status };
    // Update (not mutate): a budget changed since it was read must not be spent twice.
    store.updateStatus('poddisruptionbudgets', written);
  }

  return ({ pod: requested, deleteOptions, dryRun: dryRunQuery }) => {
    const original = cleanDeleteOptions(deleteOptions ?? {});
    const dryRun = dryRunQuery || isDryRun((deleteOptions as { dryRun?: unknown } | undefined)?.dryRun);
    const pod = store.get('pods', requested.metadata.namespace, requested.metadata.name);

    if (canIgnorePDB(pod)) {
      const opts =
        shouldEnforceResourceVersion(pod) && resourceVersionIsUnset(original)
          ? withResourceVersion(original, pod.metadata.resourceVersion)
          : original;
      addConditionAndDeletePod(pod, opts, dryRun);
      return;
    }

    const budgets = store
      .list('poddisruptionbudgets', { namespace: pod.metadata.namespace })
      .items.filter((b) => matchesLabelSelector(b.spec?.selector, pod.metadata.labels));
    if (budgets.length > 1)
      throw new ApiError(
        500,
        '',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );

    let unhealthyPodDeletion = false;
    const pdb = budgets[0];
    if (pdb) {
      const status = pdb.status ?? {};
      const desired = Number(status.desiredHealthy ?? 0);
      // An unready pod does not count as healthy: deleting it costs no disruption when the budget
      // allows it outright (AlwaysAllow) or is currently met (IfHealthyBudget, the default).
      if (
        !isPodReady(pod) &&
        (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
          (Number(status.currentHealthy ?? 0) >= desired && desired > 0))
      )
        unhealthyPodDeletion = true;
      else checkAndDecrement(pdb, pod.metadata.name, dryRun);
    }

    // The pod must not have turned Ready since the unready check.
    const opts = unhealthyPodDeletion
      ? withResourceVersion(original, pod.metadata.resourceVersion)
      : original;
    try {
      addConditionAndDeletePod(pod, opts, dryRun);
    } catch (err) {
      if (
        err instanceof ApiError &&
        err.code === 409 &&
        unhealthyPodDeletion &&
        resourceVersionIsUnset(original)
      )
        throw stillProcessing(pdb!.metadata.name);
      throw err;
    }
  };
}

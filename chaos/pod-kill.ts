/**
 * pod-kill: delete a count or percentage of the target's pods (or any selector's), gracefully
 * (the pod's grace period, or the one given) or forced (grace period 0, as `kubectl delete
 * --force --grace-period=0`). Nothing to revert: the ReplicaSet replaces the pods, and that
 * replacement is what the run observes. The victims are recorded in the journal and as events.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ResolvedPodKill } from '../lib/scenario/chaos-schema.ts';
import {
  emitEvent,
  targetLabel,
  type ChaosAction,
  type ChaosContext,
  type ChaosTarget,
  type JournalEntry,
} from './action.ts';
import { isNotFound, wrapApiError } from './k8s.ts';
import { assertNotLastReady, ChaosRefusedError, isReady, listTargetPods } from './targets.ts';

interface Victim {
  readonly name: string;
  readonly uid: string;
  readonly node: string | undefined;
  readonly ready: boolean;
  result?: 'deleted' | 'already gone';
}

/** How many of `n` pods a count or percent means (a percentage rounds up, at least one). */
export function killCount(amount: ResolvedPodKill['amount'], n: number): number {
  if ('count' in amount) return Math.min(amount.count, n);
  return Math.min(n, Math.max(1, Math.ceil((amount.percent / 100) * n)));
}

export class PodKill implements ChaosAction {
  readonly name = 'pod-kill';
  readonly mode: string;
  private _victims: Victim[] = [];
  private _namespace: string;

  constructor(
    private readonly spec: ResolvedPodKill,
    private readonly target: ChaosTarget,
    private readonly pick: (pods: V1Pod[], n: number) => V1Pod[] = randomPick,
  ) {
    this.mode = spec.mode;
    this._namespace = target.namespace;
  }

  describe(): string {
    const how =
      'count' in this.spec.amount ? `${this.spec.amount.count}` : `${this.spec.amount.percent}% of the`;
    const sel = this.spec.selector ?? this.target.selector;
    const grace =
      this.spec.mode === 'forced'
        ? 'forced (grace period 0)'
        : this.spec.gracePeriodSeconds !== null
          ? `gracefully (grace period ${this.spec.gracePeriodSeconds} s)`
          : "gracefully (the pods' own grace period)";
    return `delete ${how} pod(s) of ${this.target.namespace} matching ${sel}, ${grace}; the ReplicaSet replaces them`;
  }

  journalEntry(): JournalEntry {
    return {
      action: this.name,
      objects: this._victims.map((v) => ({
        kind: 'Pod',
        name: v.name,
        namespace: this._namespace,
        mark: false,
      })),
      undo: [],
      detail: {
        mode: this.spec.mode,
        pods: this._victims.map((v) => ({ name: v.name, node: v.node, ready: v.ready, result: v.result })),
      },
    };
  }

  async inject(ctx: ChaosContext): Promise<void> {
    const pods = await listTargetPods(ctx.client, ctx.target, this.spec.selector ?? undefined);
    if (!pods.length)
      throw new ChaosRefusedError(
        `pod-kill: no live pod in ${ctx.target.namespace} matches ${this.spec.selector ?? ctx.target.selector}`,
      );
    const n = killCount(this.spec.amount, pods.length);
    if (n > ctx.limits.maxPods)
      throw new ChaosRefusedError(
        `pod-kill: would delete ${n} pods, more than chaosLimits.maxPods (${ctx.limits.maxPods}); lower count/percent or raise the cap`,
      );
    const chosen = this.pick(pods, n);
    // The last-ready rule is about the target deployment, whatever selector picked the victims.
    const targetPods = this.spec.selector ? await listTargetPods(ctx.client, ctx.target) : pods;
    const doomed = new Set(chosen.map((p) => p.metadata?.uid));
    assertNotLastReady(
      'pod-kill',
      ctx.target,
      targetPods,
      (p) => doomed.has(p.metadata?.uid),
      this.spec.allowTotalOutage,
    );

    this._victims = chosen.map((p) => ({
      name: p.metadata?.name ?? '',
      uid: p.metadata?.uid ?? '',
      node: p.spec?.nodeName,
      ready: isReady(p),
    }));
    await ctx.checkpoint();
    const gracePeriodSeconds = this.spec.mode === 'forced' ? 0 : (this.spec.gracePeriodSeconds ?? undefined);
    for (const v of this._victims) {
      try {
        await ctx.client.core.deleteNamespacedPod({
          name: v.name,
          namespace: this._namespace,
          gracePeriodSeconds,
          // The uid precondition keeps a same-named successor (StatefulSet) safe.
          body: {
            preconditions: { uid: v.uid },
            ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
          },
        });
        v.result = 'deleted';
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (!isNotFound(err) && code !== 409)
          throw wrapApiError(`pod-kill pod/${this._namespace}/${v.name}`, err);
        v.result = 'already gone';
      }
      emitEvent(
        ctx,
        'chaos',
        `pod/${this._namespace}/${v.name}`,
        `${v.result} (pod-kill, ${this.spec.mode})`,
        {
          node: v.node,
          ready: v.ready,
        },
      );
    }
    ctx.log(`pod-kill ${targetLabel(ctx.target)}: ${this._victims.map((v) => v.name).join(', ')}`);
    await ctx.checkpoint();
  }

  async revert(): Promise<void> {
    // Deleted pods are replaced by their controller; there is nothing to put back.
  }
}

function randomPick(pods: V1Pod[], n: number): V1Pod[] {
  const copy = [...pods];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

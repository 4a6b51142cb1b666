/**
 * node-drain: `kubectl drain --ignore-daemonsets` with bounds. Pick the node (by name, the node of
 * a zone hosting most target pods, or the node hosting most target pods), cordon it, evict every
 * pod on it except DaemonSet and mirror pods through the Eviction API (429 retried with a bounded
 * back-off), wait for the evicted pods to be gone, hold; revert uncordons, but only a node this
 * action cordoned.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ResolvedNodeDrain } from '../lib/scenario/chaos-schema.ts';
import {
  emitEvent,
  type ChaosAction,
  type ChaosContext,
  type ChaosTarget,
  type JournalEntry,
} from './action.ts';
import { evictPod, type EvictionOutcome } from './eviction.ts';
import { isNotFound, mergePatch, pollUntil, wrapApiError, isAbort } from './k8s.ts';
import {
  assertNotLastReady,
  ChaosRefusedError,
  isTerminating,
  listTargetPods,
  nodeWithMostTargetPods,
} from './targets.ts';
import { applyUndo } from './undo.ts';

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Pods drain leaves alone: DaemonSet-owned (the DaemonSet would recreate them) and mirror pods. */
export function drainable(p: V1Pod): boolean {
  if (p.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return false;
  if (p.metadata?.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet')) return false;
  if (isTerminating(p)) return false;
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

export class NodeDrain implements ChaosAction {
  readonly name = 'node-drain';
  readonly mode = 'evict';
  private _node: string | undefined;
  private _wasUnschedulable: boolean | undefined;
  private _evictions: EvictionOutcome[] = [];

  constructor(
    private readonly spec: ResolvedNodeDrain,
    private readonly target: ChaosTarget,
  ) {}

  describe(): string {
    const sel = this.spec.node;
    const which =
      sel.by === 'name'
        ? `node ${sel.name}`
        : sel.by === 'zone'
          ? `the node of ${sel.zone} hosting most pods of ${this.target.namespace}/${this.target.deployment}`
          : `the node hosting most pods of ${this.target.namespace}/${this.target.deployment} (${this.target.selector})`;
    const r = this.spec.evictionRetry;
    return (
      `cordon ${which}, evict every pod on it except DaemonSet and mirror pods through the Eviction API ` +
      `(429 retried up to ${r.attempts} times, back-off ${r.backoffMs}–${r.maxBackoffMs} ms), ` +
      `then uncordon it on revert if it was schedulable before`
    );
  }

  journalEntry(): JournalEntry {
    return {
      action: this.name,
      objects: this._node ? [{ kind: 'Node', name: this._node, mark: true }] : [],
      undo: this._node && this._wasUnschedulable === false ? [{ kind: 'uncordon', node: this._node }] : [],
      detail: {
        node: this._node,
        wasUnschedulable: this._wasUnschedulable,
        evictions: this._evictions.map((e) => ({
          pod: `${e.namespace}/${e.pod}`,
          attempts: e.attempts,
          result: e.result,
        })),
      },
    };
  }

  private async _pickNode(ctx: ChaosContext): Promise<string> {
    const sel = this.spec.node;
    if (sel.by === 'name') return sel.name;
    return nodeWithMostTargetPods(ctx.client, ctx.target, sel.by === 'zone' ? sel.zone : undefined);
  }

  async inject(ctx: ChaosContext): Promise<void> {
    const name = await this._pickNode(ctx);
    let node;
    try {
      node = await ctx.client.core.readNode({ name });
    } catch (err) {
      if (isNotFound(err)) throw new ChaosRefusedError(`node-drain: node ${name} does not exist`);
      throw wrapApiError(`node-drain node/${name}`, err);
    }
    let onNode: V1Pod[];
    try {
      onNode = (await ctx.client.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` }))
        .items;
    } catch (err) {
      throw wrapApiError(`node-drain: list pods on node/${name}`, err);
    }
    // Field selectors are honoured by real API servers; filtering again costs nothing.
    const victims = onNode.filter((p) => p.spec?.nodeName === name && drainable(p));
    if (victims.length > ctx.limits.maxPods)
      throw new ChaosRefusedError(
        `node-drain: node ${name} has ${victims.length} pods to evict, more than chaosLimits.maxPods (${ctx.limits.maxPods}); raise the cap or pick another node`,
      );
    const targetPods = await listTargetPods(ctx.client, ctx.target);
    assertNotLastReady(
      `node-drain ${name}`,
      ctx.target,
      targetPods,
      (p) => p.spec?.nodeName === name,
      this.spec.allowTotalOutage,
    );

    this._node = name;
    this._wasUnschedulable = Boolean(node.spec?.unschedulable);
    await ctx.checkpoint();
    if (!this._wasUnschedulable) {
      try {
        await ctx.client.core.patchNode({ name, body: { spec: { unschedulable: true } } }, mergePatch());
      } catch (err) {
        throw wrapApiError(`node-drain: cordon node/${name}`, err);
      }
      emitEvent(ctx, 'chaos', `node/${name}`, 'cordoned (node-drain)');
    } else {
      emitEvent(ctx, 'chaos', `node/${name}`, 'already cordoned; it stays cordoned after the drain');
    }

    // Evicted in parallel like kubectl, each with its own bounded retries.
    const settled = await Promise.allSettled(
      victims.map((p) =>
        evictPod(
          ctx.client,
          { name: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? 'default' },
          this.spec.evictionRetry,
          ctx.signal,
          (attempt, message, waitMs) =>
            emitEvent(
              ctx,
              'chaos',
              `pod/${p.metadata?.namespace}/${p.metadata?.name}`,
              `eviction refused (429), retry in ${waitMs} ms`,
              {
                attempt,
                reason: message,
                node: name,
              },
            ),
        ).then((outcome) => {
          this._evictions.push(outcome);
          emitEvent(
            ctx,
            'chaos',
            `pod/${outcome.namespace}/${outcome.pod}`,
            `${outcome.result} (node-drain ${name})`,
            {
              attempts: outcome.attempts,
              node: name,
            },
          );
          return outcome;
        }),
      ),
    );
    await ctx.checkpoint();
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const attempts = this._evictions.reduce((n, e) => n + e.attempts, 0);
    ctx.log(`node-drain ${name}: ${this._evictions.length} pod(s) evicted in ${attempts} request(s)`);
    await this._waitGone(ctx, victims);
  }

  /** Like kubectl, the drain is done when the evicted pods are gone; a slow grace period only logs. */
  private async _waitGone(ctx: ChaosContext, pods: V1Pod[]): Promise<void> {
    const uids = new Set(pods.map((p) => p.metadata?.uid));
    try {
      await pollUntil(
        async () => {
          const left = (
            await ctx.client.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${this._node}` })
          ).items.filter((p) => uids.has(p.metadata?.uid));
          return left.length === 0 ? true : undefined;
        },
        {
          what: `pods evicted from node ${this._node}`,
          timeoutMs: this.spec.evictionTimeoutMs,
          signal: ctx.signal,
        },
      );
    } catch (err) {
      if (isAbort(err)) throw err;
      emitEvent(
        ctx,
        'chaos',
        `node/${this._node}`,
        `evicted pods still terminating after ${this.spec.evictionTimeoutMs} ms`,
      );
    }
  }

  async revert(ctx: ChaosContext): Promise<void> {
    if (!this._node || this._wasUnschedulable !== false) return;
    const did = await applyUndo(
      ctx.client,
      { kind: 'uncordon', node: this._node },
      { signal: ctx.signal, log: ctx.log },
    );
    emitEvent(ctx, 'chaos', `node/${this._node}`, did.replace(`node/${this._node} `, ''));
  }
}

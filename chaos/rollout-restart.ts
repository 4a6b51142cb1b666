/**
 * rollout-restart: `kubectl rollout restart` (the restartedAt annotation on the pod template) and
 * `kubectl rollout status` (wait for the new generation to be rolled out), bounded by a timeout.
 * A restart is not undone; revert only clears the annotation marking the deployment.
 */
import type { ResolvedRolloutRestart } from '../lib/scenario/chaos-schema.ts';
import {
  emitEvent,
  type ChaosAction,
  type ChaosContext,
  type ChaosTarget,
  type JournalEntry,
} from './action.ts';
import { mergePatch, wrapApiError } from './k8s.ts';
import { readDeployment, waitForRollout } from './rollout.ts';
import { ChaosRefusedError } from './targets.ts';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** RFC 3339 in whole seconds like kubectl; never the value already there, or nothing would roll. */
export function restartStamp(now: Date, previous: string | undefined): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return stamp === previous ? now.toISOString() : stamp;
}

export class RolloutRestart implements ChaosAction {
  readonly name = 'rollout-restart';
  readonly mode = 'restart';
  private _touched = false;
  private _seconds: number | undefined;

  constructor(
    private readonly spec: ResolvedRolloutRestart,
    private readonly target: ChaosTarget,
  ) {}

  describe(): string {
    return (
      `restart deployment ${this.target.namespace}/${this.target.deployment} (kubectl rollout restart) and wait up to ` +
      `${Math.round(this.spec.timeoutMs / 1000)} s for the rollout to complete`
    );
  }

  journalEntry(): JournalEntry {
    const { namespace, deployment } = this.target;
    return {
      action: this.name,
      objects: this._touched ? [{ kind: 'Deployment', name: deployment, namespace, mark: true }] : [],
      undo: [],
      detail: this._seconds !== undefined ? { rolloutSeconds: this._seconds } : {},
    };
  }

  async inject(ctx: ChaosContext): Promise<void> {
    const { namespace, deployment } = ctx.target;
    const d = await readDeployment(ctx.client, namespace, deployment);
    if (d.spec?.paused)
      throw new ChaosRefusedError(
        `rollout-restart: deployment ${namespace}/${deployment} is paused; resume it first`,
      );
    this._touched = true;
    await ctx.checkpoint();
    const previous = d.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
    const started = ctx.clock.now();
    let generation: number;
    try {
      const patched = await ctx.client.apps.patchNamespacedDeployment(
        {
          name: deployment,
          namespace,
          fieldManager: 'kubectl-rollout',
          body: {
            spec: {
              template: { metadata: { annotations: { [RESTARTED_AT]: restartStamp(new Date(), previous) } } },
            },
          },
        },
        mergePatch(),
      );
      generation = patched.metadata?.generation ?? 0;
    } catch (err) {
      throw wrapApiError(`rollout-restart deployment/${namespace}/${deployment}`, err);
    }
    emitEvent(ctx, 'chaos', `deployment/${namespace}/${deployment}`, 'restarted (rollout-restart)', {
      generation,
    });
    await waitForRollout(ctx.client, namespace, deployment, {
      minGeneration: generation,
      timeoutMs: this.spec.timeoutMs,
      signal: ctx.signal,
    });
    this._seconds = Math.round(ctx.clock.now() - started) / 1000;
    emitEvent(
      ctx,
      'chaos',
      `deployment/${namespace}/${deployment}`,
      `rollout complete in ${this._seconds} s`,
      {
        rolloutSeconds: this._seconds,
      },
    );
    await ctx.checkpoint();
  }

  async revert(): Promise<void> {
    // A completed restart is the desired state; the scheduler clears the mark.
  }
}

/**
 * bad-rollout: roll out a pod template that cannot become ready (an image no runtime can pull, or
 * a readiness probe on a path that answers 404), wait for the controller to give up
 * (Progressing=False/ProgressDeadlineExceeded), and with `rollback: true` roll back the way
 * `kubectl rollout undo` does and time the way back to a complete rollout. Revert always puts the
 * original template (and progress deadline) back.
 */
import type { ResolvedBadRollout } from '../lib/scenario/chaos-schema.ts';
import {
  emitEvent,
  type ChaosAction,
  type ChaosContext,
  type ChaosTarget,
  type JournalEntry,
} from './action.ts';
import {
  plainTemplate,
  previousRevision,
  readDeployment,
  replaceTemplate,
  waitForProgressDeadline,
  waitForRollout,
  type PlainTemplate,
} from './rollout.ts';
import { ChaosRefusedError } from './targets.ts';
import { applyUndo } from './undo.ts';

interface Container {
  name: string;
  image?: string;
  ports?: Array<{ containerPort?: number; name?: string }>;
  readinessProbe?: Record<string, unknown> & { httpGet?: Record<string, unknown> };
  livenessProbe?: { httpGet?: { port?: number | string } };
}

/** The broken copy of a template; throws ChaosRefusedError when the fault cannot be applied. */
export function breakTemplate(
  original: PlainTemplate,
  spec: ResolvedBadRollout,
  where: string,
): PlainTemplate {
  const t = plainTemplate(original) as { spec?: { containers?: Container[] } };
  const containers = t.spec?.containers ?? [];
  const c = spec.container === null ? containers[0] : containers.find((x) => x.name === spec.container);
  if (!c)
    throw new ChaosRefusedError(
      `bad-rollout ${where}: no container ${spec.container ?? ''} in the pod template; containers: ${containers.map((x) => x.name).join(', ') || 'none'}`,
    );
  if (spec.fault === 'unpullable-image') {
    c.image = spec.image;
    return t as PlainTemplate;
  }
  const existing = c.readinessProbe?.httpGet;
  const port =
    existing?.port ?? c.livenessProbe?.httpGet?.port ?? c.ports?.[0]?.containerPort ?? c.ports?.[0]?.name;
  if (port === undefined)
    throw new ChaosRefusedError(
      `bad-rollout ${where}: container ${c.name} has no HTTP probe or port to aim a failing readiness probe at; use fault 'unpullable-image'`,
    );
  c.readinessProbe = existing
    ? { ...c.readinessProbe, httpGet: { ...existing, path: spec.readinessPath } }
    : { httpGet: { path: spec.readinessPath, port }, periodSeconds: 2, failureThreshold: 1 };
  return t as PlainTemplate;
}

export class BadRollout implements ChaosAction {
  readonly name = 'bad-rollout';
  readonly mode: string;
  private _original: PlainTemplate | undefined;
  private _originalDeadline: number | undefined;
  private _timings: Record<string, number> = {};

  constructor(
    private readonly spec: ResolvedBadRollout,
    private readonly target: ChaosTarget,
  ) {
    this.mode = spec.fault;
  }

  describe(): string {
    const what =
      this.spec.fault === 'unpullable-image'
        ? `image ${this.spec.image}`
        : `a readiness probe on ${this.spec.readinessPath} (404)`;
    const deadline =
      this.spec.progressDeadlineSeconds !== null
        ? `a progress deadline of ${this.spec.progressDeadlineSeconds} s`
        : "the deployment's own progress deadline";
    const after = this.spec.rollback
      ? 'then roll back like `kubectl rollout undo` and time the way back to a complete rollout'
      : 'then leave it broken until the hold ends';
    return (
      `roll out a template to ${this.target.namespace}/${this.target.deployment} that cannot become ready (${what}), ` +
      `wait for ${deadline} to pass, ${after}; revert restores the original template`
    );
  }

  journalEntry(): JournalEntry {
    const { namespace, deployment } = this.target;
    return {
      action: this.name,
      objects: this._original ? [{ kind: 'Deployment', name: deployment, namespace, mark: true }] : [],
      undo: this._original
        ? [
            {
              kind: 'restore-template',
              namespace,
              deployment,
              template: this._original,
              ...(this.spec.progressDeadlineSeconds !== null && this._originalDeadline !== undefined
                ? { progressDeadlineSeconds: this._originalDeadline }
                : {}),
            },
          ]
        : [],
      detail: { fault: this.spec.fault, rollback: this.spec.rollback, ...this._timings },
    };
  }

  async inject(ctx: ChaosContext): Promise<void> {
    const { namespace, deployment } = ctx.target;
    const where = `deployment/${namespace}/${deployment}`;
    const d = await readDeployment(ctx.client, namespace, deployment);
    if (d.spec?.paused) throw new ChaosRefusedError(`bad-rollout: ${where} is paused; resume it first`);
    if (d.spec?.strategy?.type === 'Recreate' && !this.spec.allowTotalOutage)
      throw new ChaosRefusedError(
        `bad-rollout: ${where} uses the Recreate strategy, so a bad rollout takes every replica down; set allowTotalOutage: true to allow it`,
      );
    const original = plainTemplate(d.spec?.template);
    const broken = breakTemplate(original, this.spec, where);
    this._original = original;
    this._originalDeadline = d.spec?.progressDeadlineSeconds;
    await ctx.checkpoint();

    const started = ctx.clock.now();
    const generation = await replaceTemplate(
      ctx.client,
      namespace,
      deployment,
      broken,
      this.spec.progressDeadlineSeconds ?? undefined,
    );
    emitEvent(ctx, 'chaos', where, `rolled out a template that cannot become ready (${this.spec.fault})`, {
      generation,
    });
    const deadline = Date.now() + this.spec.timeoutMs;
    const stalled = await waitForProgressDeadline(ctx.client, namespace, deployment, {
      minGeneration: generation,
      timeoutMs: this.spec.timeoutMs,
      signal: ctx.signal,
    });
    this._timings.deadlineSeconds = seconds(ctx.clock.now() - started);
    emitEvent(ctx, 'chaos', where, `ProgressDeadlineExceeded after ${this._timings.deadlineSeconds} s`, {
      deadlineSeconds: this._timings.deadlineSeconds,
    });
    if (!this.spec.rollback) return ctx.checkpoint();

    const prev = await previousRevision(ctx.client, stalled);
    const rollbackStart = ctx.clock.now();
    const rollbackGeneration = await replaceTemplate(ctx.client, namespace, deployment, prev.template);
    emitEvent(ctx, 'chaos', where, `rolled back to revision ${prev.revision} (rollout undo)`, {
      revision: prev.revision,
    });
    await waitForRollout(ctx.client, namespace, deployment, {
      minGeneration: rollbackGeneration,
      timeoutMs: Math.max(1000, deadline - Date.now()),
      signal: ctx.signal,
    });
    this._timings.rollbackSeconds = seconds(ctx.clock.now() - rollbackStart);
    emitEvent(ctx, 'chaos', where, `healthy again ${this._timings.rollbackSeconds} s after the rollback`, {
      rollbackSeconds: this._timings.rollbackSeconds,
      revision: prev.revision,
    });
    await ctx.checkpoint();
  }

  async revert(ctx: ChaosContext): Promise<void> {
    const entry = this.journalEntry();
    for (const step of entry.undo) {
      const did = await applyUndo(ctx.client, step, { signal: ctx.signal, log: ctx.log });
      emitEvent(ctx, 'chaos', `deployment/${ctx.target.namespace}/${ctx.target.deployment}`, did);
    }
  }

  /** Seconds from the rollback to a complete rollout, once measured. */
  get rollbackSeconds(): number | undefined {
    return this._timings.rollbackSeconds;
  }
}

const seconds = (ms: number) => Math.round(ms) / 1000;

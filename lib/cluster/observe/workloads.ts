/**
 * The target Deployment and its ReplicaSets: replica gauges, and rollouts. A rollout starts when
 * the pod template changes (a scale changes the generation too, but is not a rollout) and
 * completes when the controller has observed the generation and every desired replica is
 * updated and available with no old replica left, which is what `kubectl rollout status` waits
 * for. A Progressing=False/ProgressDeadlineExceeded condition is reported as a stalled rollout.
 */
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import type { ReflectorChange } from '../reflector.ts';
import { objectRef, type GaugeSample } from '../timeline.ts';
import type { TrackerContext } from './context.ts';

const kRevision = 'deployment.kubernetes.io/revision';

export interface DeploymentState {
  name: string;
  generation: number;
  observedGeneration: number;
  revision: string | undefined;
  desired: number;
  /** status.replicas: pods of every revision. */
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  rolloutInProgress: boolean;
}

export interface ReplicaSetState {
  name: string;
  revision: string | undefined;
  desired: number;
  replicas: number;
  ready: number;
  available: number;
}

interface Rollout {
  /** Undefined when the rollout was already under way when observation began. */
  startedT: number | undefined;
  generation: number;
  stalledReported: boolean;
}

export function rolloutComplete(d: V1Deployment): boolean {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) >= desired &&
    (s.replicas ?? 0) === desired
  );
}

export class DeploymentTracker {
  private current: V1Deployment | undefined;
  private rollout: Rollout | undefined;
  private readonly replicaSets = new Map<string, V1ReplicaSet>();
  constructor(
    private readonly ctx: TrackerContext,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  state(): DeploymentState | undefined {
    const d = this.current;
    if (!d) return undefined;
    const s = d.status ?? {};
    return {
      name: this.name,
      generation: d.metadata?.generation ?? 0,
      observedGeneration: s.observedGeneration ?? 0,
      revision: d.metadata?.annotations?.[kRevision],
      desired: d.spec?.replicas ?? 1,
      replicas: s.replicas ?? 0,
      updated: s.updatedReplicas ?? 0,
      ready: s.readyReplicas ?? 0,
      available: s.availableReplicas ?? 0,
      rolloutInProgress: this.rollout !== undefined,
    };
  }

  replicaSetStates(): ReplicaSetState[] {
    return [...this.replicaSets.values()].map((rs) => ({
      name: rs.metadata?.name ?? '',
      revision: rs.metadata?.annotations?.[kRevision],
      desired: rs.spec?.replicas ?? 0,
      replicas: rs.status?.replicas ?? 0,
      ready: rs.status?.readyReplicas ?? 0,
      available: rs.status?.availableReplicas ?? 0,
    }));
  }

  applyReplicaSet(change: ReflectorChange<V1ReplicaSet>): void {
    const rs = change.object;
    const owned = rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === this.name);
    const name = rs.metadata?.name ?? '';
    if (change.type === 'deleted' || !owned) this.replicaSets.delete(name);
    else this.replicaSets.set(name, rs);
  }

  apply(change: ReflectorChange<V1Deployment>): void {
    const d = change.object;
    if (d.metadata?.name !== this.name) return;
    const before = this.current;
    this.current = change.type === 'deleted' ? undefined : d;
    const object = objectRef('Deployment', this.namespace, this.name);
    if (change.type === 'deleted') {
      this.rollout = undefined;
      return;
    }
    const generation = d.metadata?.generation ?? 0;
    if (change.initial) {
      // Old pods still present, or a generation not yet observed: a rollout is already running.
      const s = d.status ?? {};
      if ((s.observedGeneration ?? 0) < generation || (s.replicas ?? 0) > (s.updatedReplicas ?? 0)) {
        this.rollout = { startedT: undefined, generation, stalledReported: false };
      }
    } else if (before && templateChanged(before, d)) {
      const t = this.ctx.now();
      this.rollout = { startedT: t, generation, stalledReported: false };
      this.ctx.emit({
        t,
        kind: 'rollout-start',
        object,
        message: `deployment ${this.name} rollout started (generation ${generation})`,
        detail: {
          generation,
          fromRevision: before.metadata?.annotations?.[kRevision] ?? null,
          desired: d.spec?.replicas ?? 1,
        },
      });
    }
    const rollout = this.rollout;
    if (!rollout || change.initial) return;
    if (rolloutComplete(d)) {
      const t = this.ctx.now();
      this.rollout = undefined;
      const revision = d.metadata?.annotations?.[kRevision];
      const newRs = [...this.replicaSets.values()].find(
        (rs) => rs.metadata?.annotations?.[kRevision] === revision,
      );
      this.ctx.emit({
        t,
        kind: 'rollout-complete',
        object,
        message: `deployment ${this.name} rolled out (revision ${revision ?? '?'})`,
        detail: {
          generation,
          revision: revision ?? null,
          replicaSet: newRs?.metadata?.name ?? null,
          durationS: rollout.startedT === undefined ? null : t - rollout.startedT,
          ...(rollout.startedT === undefined ? { startedBeforeObserver: true } : {}),
        },
      });
      return;
    }
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    if (
      !rollout.stalledReported &&
      progressing?.status === 'False' &&
      progressing.reason === 'ProgressDeadlineExceeded'
    ) {
      rollout.stalledReported = true;
      const t = this.ctx.now();
      this.ctx.emit({
        t,
        kind: 'rollout-stalled',
        object,
        message: `deployment ${this.name} rollout exceeded its progress deadline`,
        detail: {
          generation,
          reason: progressing.reason,
          conditionMessage: progressing.message ?? null,
          updated: d.status?.updatedReplicas ?? 0,
          available: d.status?.availableReplicas ?? 0,
          desired: d.spec?.replicas ?? 1,
        },
      });
    }
  }

  gauges(): GaugeSample[] {
    const s = this.state();
    if (!s) return [];
    const labels = { deployment: this.name };
    return [
      { name: 'deployment.desired', labels, value: s.desired },
      { name: 'deployment.updated', labels, value: s.updated },
      { name: 'deployment.available', labels, value: s.available },
      { name: 'deployment.ready', labels, value: s.ready },
    ];
  }
}

function templateChanged(a: V1Deployment, b: V1Deployment): boolean {
  return JSON.stringify(a.spec?.template) !== JSON.stringify(b.spec?.template);
}

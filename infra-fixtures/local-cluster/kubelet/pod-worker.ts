/**
 * One pod on the node: its IP, its container runners, and the PodStatus assembled from them
 * (phase, conditions with transition times, container statuses, QoS class). Termination stops all
 * containers in parallel, as the kubelet does, and ends in a terminal phase.
 */
import { ContainerRunner, type ContainerDeps } from './container.ts';
import { mergeConditions, podPhase, qosClass, readinessConditions, type ConditionInput } from './status.ts';
import {
  kubeTime,
  podKeyOf,
  type KubeletEvent,
  type Pod,
  type PodCondition,
  type PodKey,
  type PodStatus,
} from './types.ts';

export type PodWorkerDeps = Omit<ContainerDeps, 'pod' | 'podIP' | 'event' | 'changed'> & {
  readonly event: (key: PodKey, event: KubeletEvent) => void;
  readonly changed: (key: PodKey) => void;
};

export class PodWorker {
  readonly key: PodKey;
  readonly uid: string | undefined;
  readonly runners: ContainerRunner[];
  private readonly startTime: string;
  private conditions: PodCondition[] | undefined;
  private readonly blocked: string | undefined;
  terminating = false;
  terminated = false;

  constructor(
    readonly pod: Pod,
    readonly podIP: string,
    private readonly deps: PodWorkerDeps,
  ) {
    this.key = podKeyOf(pod);
    this.uid = pod.metadata.uid;
    this.startTime = pod.status?.startTime ?? kubeTime();
    if ((pod.spec.initContainers?.length ?? 0) > 0) {
      this.blocked =
        'spec.initContainers are not supported by the local cluster process kubelet; move the work into the container command';
    }
    const containerDeps: ContainerDeps = {
      ...deps,
      pod,
      podIP,
      event: (e) => deps.event(this.key, e),
      changed: () => deps.changed(this.key),
    };
    this.runners = pod.spec.containers.map((c) => new ContainerRunner(c, containerDeps));
  }

  start(): void {
    if (this.blocked) {
      this.deps.event(this.key, { type: 'Warning', reason: 'Failed', message: this.blocked });
      this.deps.changed(this.key);
      return;
    }
    for (const r of this.runners) r.start();
    this.deps.changed(this.key);
  }

  status(): PodStatus {
    const containerStatuses = this.runners.map((r) => r.status());
    if (this.blocked) {
      for (const s of containerStatuses) s.state = { waiting: { reason: 'PodInitializing' } };
    }
    const phase = podPhase(containerStatuses, this.pod.spec.restartPolicy ?? 'Always', this.terminated);
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    const next: ConditionInput[] = [
      { type: 'PodReadyToStartContainers', ok: !this.terminated },
      this.blocked
        ? { type: 'Initialized', ok: false, reason: 'ContainersNotInitialized', message: this.blocked }
        : { type: 'Initialized', ok: true },
      ...readinessConditions(containerStatuses, terminal),
      { type: 'PodScheduled', ok: true },
    ];
    this.conditions = mergeConditions(this.conditions, next, kubeTime());
    return {
      phase,
      conditions: this.conditions,
      hostIP: this.deps.hostIP,
      hostIPs: [{ ip: this.deps.hostIP }],
      podIP: this.podIP,
      podIPs: [{ ip: this.podIP }],
      startTime: this.startTime,
      containerStatuses,
      qosClass: qosClass(this.pod.spec.containers),
    };
  }

  /** Stops every container within `graceMs`; resolves once every process group is gone. */
  async terminate(graceMs: number): Promise<void> {
    this.terminating = true;
    await Promise.all(this.runners.map((r) => r.terminate(graceMs)));
    this.terminated = true;
    this.deps.changed(this.key);
  }

  runner(name: string): ContainerRunner | undefined {
    return this.runners.find((r) => r.name === name);
  }
}

/**
 * The process kubelet of one node: runs the pods it is given as local process groups and reports
 * their status. It knows nothing of the store; see ./index.ts for the API and the wiring contract.
 */
import type { RuntimeConfig } from '../runtime.ts';
import type { EnvSourceResolver } from './env.ts';
import { KubeletError } from './errors.ts';
import { Gate } from './gate.ts';
import { formatLine, type LogBuffer, type LogQuery } from './logs.ts';
import { defaultPodCIDR, PodIPAllocator } from './pod-ips.ts';
import { PodWorker } from './pod-worker.ts';
import { podKeyOf, type KubeletEvent, type Pod, type PodKey, type PodStatus } from './types.ts';
import { defaultClockTicks, sampleGroups } from './usage.ts';
import { validatePod } from './validate.ts';
import type { ContainerRunner } from './container.ts';

export interface KubeletNode {
  readonly name: string;
  /** The node's InternalIP, 127.0.X.Y. */
  readonly address: string;
  /** Loopback /24 the pod IPs come from. @default 127.X.Y.0/24 for address 127.0.X.Y */
  readonly podCIDR?: string;
}

export interface KubeletOptions {
  readonly node: KubeletNode;
  readonly runtime: RuntimeConfig;
  /** Every status change, coalesced per tick; held while the node is unreachable. Must not throw. */
  readonly onPodStatus: (key: PodKey, status: PodStatus) => void;
  readonly onEvent?: (key: PodKey, event: KubeletEvent) => void;
  /** The node's heartbeats stopped (false) or resumed (true): the assembler's Lease/NodeStatus cue. */
  readonly onHeartbeatsChange?: (running: boolean) => void;
  /** Multiplies probe periods/delays and restart back-offs (0.01 makes 10 s into 100 ms). @default 1 */
  readonly timeScale?: number;
  /** Crash back-off, before time scaling. @default { initialSeconds: 10, maxSeconds: 300 } */
  readonly backoff?: { readonly initialSeconds?: number; readonly maxSeconds?: number };
  /** Log ring buffer per container instance, in characters. @default 1 MiB */
  readonly logBytesPerContainer?: number;
  /** CPU sampling. @default { intervalMs: 5000, windowMs: 15000, clockTicks: 100 } */
  readonly usage?: { readonly intervalMs?: number; readonly windowMs?: number; readonly clockTicks?: number };
  /** Resolves configMapKeyRef/secretKeyRef env sources; without it such pods wait in CreateContainerConfigError. */
  readonly envSource?: EnvSourceResolver;
}

export interface LogOptions extends LogQuery {
  readonly container?: string;
  /** The previous instance's log (`kubectl logs --previous`). */
  readonly previous?: boolean;
}

export interface ContainerUsage {
  readonly name: string;
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
  /** The instance's cumulative CPU time, for a cAdvisor-style counter. */
  readonly cpuSeconds: number;
}

export interface PodUsage {
  /** Epoch ms of the newest sample. */
  readonly timestamp: number;
  readonly windowMs: number;
  readonly containers: readonly ContainerUsage[];
}

export type NodePower = 'running' | 'paused' | 'stopped';

export class ProcessKubelet {
  private readonly workers = new Map<PodKey, PodWorker>();
  private readonly pendingSyncs = new Map<PodKey, Pod>();
  private readonly dirty = new Set<PodKey>();
  private readonly reported = new Map<PodKey, string>();
  private waiters: (() => void)[] = [];
  private flushQueued = false;
  private readonly gate = new Gate();
  private readonly ips: PodIPAllocator;
  private readonly usageTimer: NodeJS.Timeout;
  private readonly clockTicks: number;
  private power: NodePower = 'running';
  private heartbeatsOn = true;
  private closed = false;

  constructor(private readonly options: KubeletOptions) {
    const { node } = options;
    this.ips = new PodIPAllocator(node.podCIDR ?? defaultPodCIDR(node.address));
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0))
      throw new KubeletError('Invalid', `timeScale must be a number > 0, not ${timeScale}`);
    this.clockTicks = options.usage?.clockTicks ?? defaultClockTicks;
    this.usageTimer = setInterval(() => this.sampleUsage(), options.usage?.intervalMs ?? 5000);
    this.usageTimer.unref();
  }

  get nodeName(): string {
    return this.options.node.name;
  }

  get podCIDR(): string {
    return this.ips.cidr;
  }

  get state(): NodePower {
    return this.power;
  }

  /** True while the node would renew its Lease: powered, not paused, heartbeats not stopped. */
  get heartbeating(): boolean {
    return !this.closed && this.power === 'running' && this.heartbeatsOn;
  }

  podKeys(): PodKey[] {
    return [...this.workers.keys()];
  }

  /** The pod's current status as the kubelet sees it (whether or not it could report it). */
  podStatus(key: PodKey): PodStatus | undefined {
    return this.workers.get(key)?.status();
  }

  /** Starts the pod if new; idempotent. While the node is unreachable the pod waits for it. */
  syncPod(pod: Pod): void {
    if (this.closed) throw new KubeletError('Conflict', `kubelet of node ${this.nodeName} is closed`);
    validatePod(pod, this.nodeName);
    const key = podKeyOf(pod);
    const existing = this.workers.get(key);
    if (existing) {
      if (existing.uid !== pod.metadata.uid) {
        throw new KubeletError(
          'Conflict',
          `pod ${key} uid ${String(pod.metadata.uid)} while uid ${String(existing.uid)} still runs; terminatePod it first`,
        );
      }
      return;
    }
    if (!this.heartbeating) {
      this.pendingSyncs.set(key, pod);
      return;
    }
    const scale = this.options.timeScale ?? 1;
    const worker = new PodWorker(pod, this.ips.allocate(pod.status?.podIP), {
      hostIP: this.options.node.address,
      nodeName: this.nodeName,
      runtime: this.options.runtime,
      timeScale: scale,
      backoffInitialMs: (this.options.backoff?.initialSeconds ?? 10) * 1000 * scale,
      backoffMaxMs: (this.options.backoff?.maxSeconds ?? 300) * 1000 * scale,
      logBytes: this.options.logBytesPerContainer ?? 1024 * 1024,
      usageWindowMs: this.options.usage?.windowMs ?? 15_000,
      envSource: this.options.envSource,
      gate: this.gate,
      event: (k, e) => this.options.onEvent?.(k, e),
      changed: (k) => this.changed(k),
    });
    this.workers.set(key, worker);
    worker.start();
  }

  /**
   * Stops the pod: preStop, SIGTERM, the rest of the grace, SIGKILL, for every container at once.
   * Grace: the argument, else metadata.deletionGracePeriodSeconds, else
   * spec.terminationGracePeriodSeconds, else 30. Resolves when every process is gone and the final
   * status has been reported; while the node is unreachable it waits for the node, like a real
   * pod stuck Terminating on a lost node.
   */
  async terminatePod(pod: Pod, gracePeriodSeconds?: number): Promise<void> {
    const key = podKeyOf(pod);
    const grace =
      gracePeriodSeconds ??
      pod.metadata.deletionGracePeriodSeconds ??
      pod.spec?.terminationGracePeriodSeconds ??
      30;
    // A pod deleted before an unreachable node ever saw it never starts there.
    this.pendingSyncs.delete(key);
    await this.whenReachable();
    const worker = this.workers.get(key);
    if (!worker || (pod.metadata.uid !== undefined && worker.uid !== pod.metadata.uid)) return;
    await worker.terminate(grace * 1000);
    await this.whenReachable();
    if (this.workers.get(key) !== worker) return;
    this.report(worker);
    this.workers.delete(key);
    this.reported.delete(key);
    this.dirty.delete(key);
    this.ips.release(worker.podIP);
  }

  logs(key: PodKey, options: LogOptions = {}): string {
    const { runner, name } = this.logTarget(key, options.container);
    const buffer = runner.logs(options.previous === true);
    if (!buffer) {
      if (options.previous) {
        throw new KubeletError(
          'BadRequest',
          `previous terminated container "${runner.name}" in pod "${name}" not found`,
        );
      }
      const reason = runner.status().state.waiting?.reason ?? 'ContainerCreating';
      throw new KubeletError(
        'BadRequest',
        `container "${runner.name}" in pod "${name}" is waiting to start: ${reason}`,
      );
    }
    return buffer.read(options);
  }

  /** `kubectl logs -f`: the buffered lines, then each new one, until the instance exits (`onEnd`). */
  followLogs(
    key: PodKey,
    options: LogOptions,
    onData: (text: string) => void,
    onEnd: () => void,
  ): () => void {
    const text = this.logs(key, { ...options, previous: false }); // throws while nothing has run
    const buffer = this.logTarget(key, options.container).runner.logs(false) as LogBuffer;
    if (text) onData(text);
    return buffer.follow((line) => onData(formatLine(line, options.timestamps === true)), onEnd);
  }

  private logTarget(key: PodKey, container: string | undefined): { runner: ContainerRunner; name: string } {
    const worker = this.workers.get(key);
    const name = key.slice(key.indexOf('/') + 1);
    if (!worker) throw new KubeletError('NotFound', `pods "${name}" not found`);
    if (container === undefined) {
      if (worker.runners.length === 1) return { runner: worker.runners[0] as ContainerRunner, name };
      const names = worker.runners.map((r) => r.name).join(' ');
      throw new KubeletError(
        'BadRequest',
        `a container name must be specified for pod ${name}, choose one of: [${names}]`,
      );
    }
    const runner = worker.runner(container);
    if (!runner) throw new KubeletError('BadRequest', `container ${container} is not valid for pod ${name}`);
    return { runner, name };
  }

  /** Takes one CPU/memory sample of every running container now (also runs on the interval). */
  sampleUsage(): void {
    const byGroup = new Map<number, ContainerRunner>();
    for (const worker of this.workers.values()) {
      for (const r of worker.runners) if (r.pid !== undefined && r.pid > 0) byGroup.set(r.pid, r);
    }
    for (const [group, sample] of sampleGroups(byGroup.keys(), this.clockTicks))
      byGroup.get(group)?.usage.add(sample);
  }

  /** metrics.k8s.io-style usage, or undefined until a container has two samples. */
  podUsage(key: PodKey): PodUsage | undefined {
    const worker = this.workers.get(key);
    if (!worker) return undefined;
    const containers: ContainerUsage[] = [];
    let timestamp = 0;
    let windowMs = 0;
    for (const r of worker.runners) {
      if (r.pid === undefined) continue;
      const rate = r.usage.millicores();
      const last = r.usage.latest();
      if (!rate || !last) continue;
      timestamp = Math.max(timestamp, last.time);
      windowMs = Math.max(windowMs, rate.windowMs);
      containers.push({
        name: r.name,
        cpuMillicores: rate.value,
        memoryBytes: last.rssBytes,
        cpuSeconds: last.cpuSeconds,
      });
    }
    return containers.length === 0 ? undefined : { timestamp, windowMs, containers };
  }

  /** Sum over the node's pods (the node's metrics.k8s.io usage, minus the kubelet itself). */
  nodeUsage(): { cpuMillicores: number; memoryBytes: number } {
    let cpuMillicores = 0;
    let memoryBytes = 0;
    for (const key of this.workers.keys()) {
      for (const c of this.podUsage(key)?.containers ?? []) {
        cpuMillicores += c.cpuMillicores;
        memoryBytes += c.memoryBytes;
      }
    }
    return { cpuMillicores, memoryBytes };
  }

  /** Power off: SIGKILL every process group at once; resolves when they are gone. */
  async stopAll(): Promise<void> {
    this.setPower('stopped');
    const exits: Promise<unknown>[] = [];
    for (const r of this.runners()) {
      if (r.processExited) exits.push(r.processExited);
      r.powerOff();
    }
    await Promise.all(exits);
  }

  /** Freezer: SIGSTOP every process group; the kubelet itself freezes too. */
  pauseAll(): void {
    if (this.power !== 'running') return;
    this.setPower('paused');
    for (const r of this.runners()) r.signal('SIGSTOP');
  }

  /** SIGCONT after pauseAll; after stopAll, a reboot: containers restart per restartPolicy. */
  resumeAll(): void {
    if (this.power === 'paused') for (const r of this.runners()) r.signal('SIGCONT');
    this.setPower('running');
  }

  /** Network partition or a dead kubelet: processes keep serving, nothing reaches the API. */
  stopHeartbeats(): void {
    this.withReachability(() => (this.heartbeatsOn = false));
  }

  startHeartbeats(): void {
    this.withReachability(() => (this.heartbeatsOn = true));
  }

  /** SIGKILLs everything and forgets every pod; no callback fires afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    const exits: Promise<unknown>[] = [];
    for (const r of this.runners()) {
      if (r.processExited) exits.push(r.processExited);
      r.powerOff();
    }
    this.closed = true;
    this.gate.discard();
    clearInterval(this.usageTimer);
    await Promise.all(exits);
    for (const r of this.runners()) r.dispose();
    this.workers.clear();
    this.pendingSyncs.clear();
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private *runners(): Generator<ContainerRunner> {
    for (const worker of this.workers.values()) yield* worker.runners;
  }

  private setPower(power: NodePower): void {
    this.withReachability(() => {
      this.power = power;
      if (power === 'running') this.gate.thaw();
      else this.gate.freeze();
    });
  }

  private withReachability(change: () => void): void {
    const before = this.heartbeating;
    change();
    const after = this.heartbeating;
    if (before === after) return;
    this.options.onHeartbeatsChange?.(after);
    if (after) this.caughtUp();
  }

  /** The node is back: pods synced meanwhile start, held statuses go out, waiting deletions proceed. */
  private caughtUp(): void {
    for (const pod of [...this.pendingSyncs.values()]) {
      this.pendingSyncs.delete(podKeyOf(pod));
      this.syncPod(pod);
    }
    for (const resolve of this.waiters.splice(0)) resolve();
    this.flush();
  }

  private whenReachable(): Promise<void> {
    if (this.heartbeating || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private changed(key: PodKey): void {
    this.dirty.add(key);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.heartbeating) return;
    for (const key of this.dirty) {
      const worker = this.workers.get(key);
      if (worker) this.report(worker);
    }
    this.dirty.clear();
  }

  private report(worker: PodWorker): void {
    const status = worker.status();
    const json = JSON.stringify(status);
    if (this.reported.get(worker.key) === json) return;
    this.reported.set(worker.key, json);
    this.options.onPodStatus(worker.key, status);
  }
}

export function createKubelet(options: KubeletOptions): ProcessKubelet {
  return new ProcessKubelet(options);
}

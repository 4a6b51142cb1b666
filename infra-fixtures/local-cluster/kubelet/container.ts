/**
 * One container of a pod, run the kubelet's way: resolve the image to a local command, spawn the
 * process group, run startup → readiness/liveness probes, restart it per restartPolicy with the
 * kubelet's crash back-off (first restart at once, then initial, doubling to max; reset after a
 * run of 2×max), and stop it with preStop → SIGTERM → rest of the grace (at least 2 s) → SIGKILL.
 * It reports through `changed()`; the pod worker assembles the PodStatus.
 */
import {
  containerArgv,
  ImageNotMappedError,
  resolveImage,
  type ImageCommand,
  type RuntimeConfig,
} from '../runtime.ts';
import { containerEnv, EnvError, expandArgv, type EnvSourceResolver } from './env.ts';
import type { Gate } from './gate.ts';
import { Backoff, goDuration } from './backoff.ts';
import { runHook } from './hooks.ts';
import { LogBuffer } from './logs.ts';
import { ProbeWorker, type ProbeKind, type ProbeTarget } from './probe.ts';
import { spawnGroup, type ExitInfo, type GroupProcess } from './process.ts';
import {
  kubeTime,
  type Container,
  type ContainerState,
  type ContainerStateTerminated,
  type ContainerStatus,
  type KubeletEvent,
  type Pod,
} from './types.ts';
import { UsageSeries } from './usage.ts';

export interface ContainerDeps {
  readonly pod: Pod;
  readonly podIP: string;
  readonly hostIP: string;
  readonly nodeName: string;
  readonly runtime: RuntimeConfig;
  readonly timeScale: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly logBytes: number;
  readonly usageWindowMs: number;
  readonly envSource: EnvSourceResolver | undefined;
  readonly gate: Gate;
  readonly event: (e: KubeletEvent) => void;
  readonly changed: () => void;
}

/** The kubelet's floor for the time between SIGTERM and SIGKILL. */
const minimumGraceMs = 2000;

interface Instance {
  readonly proc: GroupProcess;
  readonly startedAt: number;
  readonly containerID: string;
  readonly target: ProbeTarget;
  readonly probes: ProbeWorker[];
  /** Resolves once the exit has been recorded. */
  readonly done: Promise<void>;
  markDone: () => void;
  killDeadline?: number;
  killTimer?: NodeJS.Timeout;
}

export class ContainerRunner {
  readonly name: string;
  private state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerState = {};
  private instances = 0;
  private ready = false;
  private started = false;
  private instance: Instance | undefined;
  private image: ImageCommand | undefined;
  private readonly crashBackoff: Backoff;
  private readonly pullBackoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private pullTimer: NodeJS.Timeout | undefined;
  private terminating = false;
  private logsNow: LogBuffer | undefined;
  private logsBefore: LogBuffer | undefined;
  /** CPU/memory samples of the current instance; replaced when it restarts. */
  usage: UsageSeries;

  constructor(
    readonly spec: Container,
    private readonly deps: ContainerDeps,
  ) {
    this.name = spec.name;
    this.usage = new UsageSeries(deps.usageWindowMs);
    this.crashBackoff = new Backoff(deps.backoffInitialMs, deps.backoffMaxMs);
    this.pullBackoff = new Backoff(deps.backoffInitialMs, deps.backoffMaxMs);
  }

  get pid(): number | undefined {
    return this.instance?.proc.pid;
  }

  /** The running process' own exit, whether or not the kubelet has recorded it yet. */
  get processExited(): Promise<unknown> | undefined {
    return this.instance?.proc.exited;
  }

  logs(previous: boolean): LogBuffer | undefined {
    return previous ? this.logsBefore : this.logsNow;
  }

  status(): ContainerStatus {
    const status: ContainerStatus = {
      name: this.name,
      image: this.spec.image,
      imageID: this.image ? `local-runtime://${this.image.matched}` : '',
      ready: this.ready,
      started: this.started,
      restartCount: Math.max(0, this.instances - 1),
      state: this.state,
      lastState: this.lastState,
    };
    const id = this.instance?.containerID ?? this.state.terminated?.containerID;
    if (id) status.containerID = id;
    return status;
  }

  private fieldPath(): string {
    return `spec.containers{${this.name}}`;
  }

  private emit(type: KubeletEvent['type'], reason: string, message: string): void {
    this.deps.event({ type, reason, message, fieldPath: this.fieldPath() });
  }

  private podName(): string {
    const { metadata } = this.deps.pod;
    return `${metadata.name}_${metadata.namespace ?? 'default'}(${metadata.uid ?? ''})`;
  }

  /** Starts an instance now, or records why it cannot start and retries on the back-off. */
  start(): void {
    if (this.terminating) return;
    try {
      this.image = resolveImage(this.deps.runtime, this.spec.image);
    } catch (e) {
      if (!(e instanceof ImageNotMappedError)) throw e;
      return this.pullFailed(e.message);
    }
    this.pullBackoff.reset();
    let env: Record<string, string>;
    let argv: string[];
    try {
      env = containerEnv(this.spec, this.image, this.deps, this.deps.envSource);
      argv = expandArgv(containerArgv(this.image, this.spec.command, this.spec.args), env);
    } catch (e) {
      if (!(e instanceof EnvError)) throw e;
      return this.configFailed('CreateContainerConfigError', e.message);
    }
    if (argv.length === 0) {
      return this.configFailed(
        'CreateContainerError',
        `no command specified: image "${this.spec.image}" maps to no command and the container gives none`,
      );
    }
    this.emit('Normal', 'Pulled', `Container image "${this.spec.image}" already present on machine`);
    this.spawn(argv, env, this.image.cwd);
  }

  private pullFailed(message: string): void {
    this.state = { waiting: { reason: 'ErrImagePull', message } };
    this.emit('Warning', 'Failed', `Failed to pull image "${this.spec.image}": ${message}`);
    const wait = Math.max(this.pullBackoff.next(), this.deps.backoffInitialMs);
    // ErrImagePull turns into ImagePullBackOff while the kubelet waits to pull again.
    this.pullTimer = setTimeout(
      () => {
        if (this.state.waiting?.reason !== 'ErrImagePull') return;
        this.state = {
          waiting: {
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${this.spec.image}": ${message}`,
          },
        };
        this.emit('Normal', 'BackOff', `Back-off pulling image "${this.spec.image}"`);
        this.deps.changed();
      },
      Math.min(1000 * this.deps.timeScale, wait / 2),
    );
    this.retryLater(wait);
    this.deps.changed();
  }

  private configFailed(reason: string, message: string): void {
    this.state = { waiting: { reason, message } };
    this.emit('Warning', 'Failed', `Error: ${message}`);
    this.retryLater(this.deps.backoffInitialMs);
    this.deps.changed();
  }

  private retryLater(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.deps.gate.run(() => this.start()), delayMs);
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.pullTimer);
  }

  private spawn(argv: string[], env: Record<string, string>, cwd: string): void {
    const proc = spawnGroup({ argv, env, cwd });
    this.instances++;
    if (this.logsNow) this.logsBefore = this.logsNow;
    this.logsNow = new LogBuffer(this.deps.logBytes);
    this.logsNow.attach(proc.stdout);
    this.logsNow.attach(proc.stderr);
    this.usage = new UsageSeries(this.deps.usageWindowMs);
    let markDone = (): void => undefined;
    const done = new Promise<void>((resolve) => (markDone = resolve));
    const startedAt = Date.now();
    const inst: Instance = {
      proc,
      startedAt,
      containerID: `proc://${proc.pid}`,
      target: { host: this.deps.podIP, ports: this.spec.ports, env, cwd },
      probes: [],
      done,
      markDone,
    };
    this.instance = inst;
    this.state = { running: { startedAt: kubeTime(startedAt) } };
    this.emit('Normal', 'Created', `Created container ${this.name}`);
    this.emit('Normal', 'Started', `Started container ${this.name}`);
    void proc.exited.then((info) => this.deps.gate.run(() => this.exited(inst, info)));
    if (this.spec.startupProbe) {
      this.probe(inst, 'Startup', this.spec.startupProbe, (ok) =>
        ok ? this.startedUp(inst) : this.probeKill(inst, 'startup'),
      );
    } else {
      this.startedUp(inst);
    }
    this.deps.changed();
  }

  private probe(
    inst: Instance,
    kind: ProbeKind,
    spec: NonNullable<Container['readinessProbe']>,
    onChange: (ok: boolean) => void,
  ) {
    const worker = new ProbeWorker(
      kind,
      spec,
      inst.target,
      this.deps.timeScale,
      this.deps.gate,
      (ok) => {
        if (this.instance === inst) onChange(ok);
      },
      (message) => this.emit('Warning', 'Unhealthy', `${kind} probe failed: ${message}`),
    );
    inst.probes.push(worker);
    worker.start();
  }

  private startedUp(inst: Instance): void {
    this.started = true;
    if (this.spec.readinessProbe) {
      this.probe(inst, 'Readiness', this.spec.readinessProbe, (ok) => {
        this.ready = ok;
        this.deps.changed();
      });
    } else {
      this.ready = true;
    }
    if (this.spec.livenessProbe && !this.terminating) {
      this.probe(inst, 'Liveness', this.spec.livenessProbe, (ok) => {
        if (!ok) this.probeKill(inst, 'liveness');
      });
    }
    this.deps.changed();
  }

  private probeKill(inst: Instance, kind: 'liveness' | 'startup'): void {
    if (this.terminating) return;
    this.emit('Normal', 'Killing', `Container ${this.name} failed ${kind} probe, will be restarted`);
    void this.kill(inst, (this.deps.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
  }

  /** preStop (bounded by the grace), SIGTERM, then SIGKILL at the deadline; resolves once recorded. */
  private async kill(inst: Instance, graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    if (inst.killDeadline !== undefined) {
      // A second, shorter grace (a force delete during a graceful one) brings SIGKILL forward.
      if (deadline < inst.killDeadline) this.armKill(inst, Math.max(deadline, Date.now() + minimumGraceMs));
      return inst.done;
    }
    inst.killDeadline = deadline;
    for (const p of inst.probes) if (p.kind !== 'Readiness') p.stop();
    const preStop = this.spec.lifecycle?.preStop;
    if (preStop && graceMs > 0) {
      const error = await runHook(preStop, inst.target, graceMs);
      if (error) this.emit('Warning', 'FailedPreStopHook', `PreStopHook failed: ${error}`);
    }
    if (this.instance !== inst) return inst.done;
    inst.proc.signal('SIGTERM');
    this.armKill(inst, Math.max(inst.killDeadline, Date.now() + minimumGraceMs));
    return inst.done;
  }

  private armKill(inst: Instance, at: number): void {
    inst.killDeadline = at;
    clearTimeout(inst.killTimer);
    // Gated: a frozen node's kubelet sends nothing until it runs again.
    inst.killTimer = setTimeout(
      () => this.deps.gate.run(() => inst.proc.signal('SIGKILL')),
      Math.max(0, at - Date.now()),
    );
  }

  private exited(inst: Instance, info: ExitInfo): void {
    if (this.instance !== inst) return;
    clearTimeout(inst.killTimer);
    for (const p of inst.probes) p.stop();
    this.logsNow?.end();
    this.instance = undefined;
    this.ready = false;
    this.started = false;
    const finished = Date.now();
    const terminated: ContainerStateTerminated = {
      exitCode: info.exitCode,
      reason: info.error ? 'StartError' : info.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: kubeTime(inst.startedAt),
      finishedAt: kubeTime(finished),
      containerID: inst.containerID,
    };
    if (info.signal !== undefined) terminated.signal = info.signal;
    if (info.error) {
      terminated.message = info.error;
      this.emit('Warning', 'Failed', `Error: failed to start container "${this.name}": ${info.error}`);
    }
    const policy = this.deps.pod.spec.restartPolicy ?? 'Always';
    const restart =
      !this.terminating && (policy === 'Always' || (policy === 'OnFailure' && info.exitCode !== 0));
    if (!restart) {
      this.state = { terminated };
    } else {
      this.lastState = { terminated };
      this.scheduleRestart(finished - inst.startedAt);
    }
    inst.markDone();
    this.deps.changed();
  }

  private scheduleRestart(ranMs: number): void {
    const delay = this.crashBackoff.next(ranMs);
    if (delay === 0) return this.start();
    this.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(delay)} restarting failed container=${this.name} pod=${this.podName()}`,
      },
    };
    this.emit(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${this.name} in pod ${this.podName()}`,
    );
    this.retryLater(delay);
  }

  /** Stops restarting and stops the running instance within `graceMs`; resolves when it is gone. */
  async terminate(graceMs: number): Promise<void> {
    this.terminating = true;
    this.clearTimers();
    if (!this.instance) return;
    this.emit('Normal', 'Killing', `Stopping container ${this.name}`);
    await this.kill(this.instance, graceMs);
  }

  /** Power off: SIGKILL now, no hook; the exit is recorded when the kubelet runs again. */
  powerOff(): void {
    this.instance?.proc.signal('SIGKILL');
  }

  signal(name: 'SIGSTOP' | 'SIGCONT'): void {
    this.instance?.proc.signal(name);
  }

  /** Ends timers and probes for good (the kubelet is closing); the process must already be gone. */
  dispose(): void {
    this.terminating = true;
    this.clearTimers();
    if (this.instance) {
      for (const p of this.instance.probes) p.stop();
      clearTimeout(this.instance.killTimer);
    }
  }
}

/**
 * Probes as the kubelet runs them: httpGet (2xx/3xx passes, a fresh connection per probe, no
 * keep-alive), tcpSocket (connect passes) and exec (exit 0 passes, run as a local command), each
 * bounded by timeoutSeconds. A ProbeWorker turns results into a Success/Failure state with
 * successThreshold/failureThreshold, first after initialDelaySeconds, then every periodSeconds.
 * Period and delay are multiplied by the kubelet's time scale; timeouts are not, because they
 * measure the app, not the cluster's clock.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Gate } from './gate.ts';
import type { ContainerPort, HTTPGetAction, Probe } from './types.ts';

export interface ProbeTarget {
  /** Pod IP: the default host of httpGet and tcpSocket. */
  readonly host: string;
  readonly ports: readonly ContainerPort[] | undefined;
  readonly env: Record<string, string>;
  readonly cwd: string;
}

export interface ProbeOutcome {
  readonly ok: boolean;
  /** Why it failed, worded like the kubelet's Unhealthy events. */
  readonly message?: string;
}

export function resolvePort(
  port: number | string,
  ports: readonly ContainerPort[] | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports?.find((p) => p.name === port)?.containerPort;
}

export function httpGet(
  action: HTTPGetAction,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const port = resolvePort(action.port, target.ports);
  if (port === undefined)
    return Promise.resolve({ ok: false, message: `port "${action.port}" not found in container ports` });
  const host = action.host || target.host;
  const path = action.path || '/';
  const scheme = action.scheme === 'HTTPS' ? 'https' : 'http';
  const url = `${scheme}://${host}:${port}${path}`;
  const headers: Record<string, string> = {
    'User-Agent': 'kube-probe/1.32',
    Accept: '*/*',
    Connection: 'close',
  };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    let answered = false;
    const lib = scheme === 'https' ? https : http;
    const req = lib.get(
      url,
      { headers, agent: false, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        answered = true;
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(
          status >= 200 && status < 400
            ? { ok: true }
            : { ok: false, message: `HTTP probe failed with statuscode: ${status}` },
        );
      },
    );
    req.on('timeout', () =>
      afterPendingIo(() => {
        if (answered) return;
        req.destroy();
        resolve({
          ok: false,
          message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        });
      }),
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, message: `Get "${url}": dial tcp ${host}:${port}: ${describe(e)}` }),
    );
  });
}

/**
 * Runs `decide` after the I/O that is already waiting. When this process's event loop stalls
 * (the whole cluster shares it), a probe's timer and the app's answer come due together and
 * timers run first: without this, a stall in the prober would count as a slow app.
 */
function afterPendingIo(decide: () => void): void {
  setImmediate(decide);
}

function describe(e: NodeJS.ErrnoException): string {
  if (e.code === 'ECONNREFUSED') return 'connect: connection refused';
  if (e.code === 'ECONNRESET') return 'read: connection reset by peer';
  return e.message;
}

function tcpSocket(port: number | string, host: string | undefined, target: ProbeTarget, timeoutMs: number) {
  const p = resolvePort(port, target.ports);
  const h = host || target.host;
  return new Promise<ProbeOutcome>((resolve) => {
    if (p === undefined)
      return resolve({ ok: false, message: `port "${port}" not found in container ports` });
    let connected = false;
    const socket = net.connect({ host: h, port: p, timeout: timeoutMs });
    socket.once('connect', () => {
      connected = true;
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () =>
      afterPendingIo(() => {
        if (connected) return;
        socket.destroy();
        resolve({ ok: false, message: `dial tcp ${h}:${p}: i/o timeout` });
      }),
    );
    socket.once('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, message: `dial tcp ${h}:${p}: ${describe(e)}` }),
    );
  });
}

export function execCommand(
  command: readonly string[],
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const [file, ...args] = command;
  if (!file) return Promise.resolve({ ok: false, message: 'exec command is empty' });
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: target.env, cwd: target.cwd, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout) => {
        if (!err) return resolve({ ok: true });
        const code = (err as { code?: unknown }).code;
        resolve({
          ok: false,
          message: typeof code === 'number' ? `command exited with ${code}: ${stdout.trim()}` : err.message,
        });
      },
    );
  });
}

export function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpGet(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpSocket(probe.tcpSocket.port, probe.tcpSocket.host, target, timeoutMs);
  if (probe.exec) return execCommand(probe.exec.command ?? [], target, timeoutMs);
  return Promise.resolve({ ok: false, message: 'probe has no httpGet, tcpSocket or exec handler' });
}

export type ProbeKind = 'Readiness' | 'Liveness' | 'Startup';

/**
 * Runs one probe on its schedule. `onChange` fires when the thresholded result flips; `onFailure`
 * fires for every failed attempt (the kubelet's Unhealthy event). Readiness starts as failing,
 * liveness as passing and startup as undecided, as the kubelet initialises its result cache.
 */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  /** Thresholded result; undefined until the startup probe has decided. */
  result: boolean | undefined;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly timeScale: number,
    private readonly gate: Gate,
    private readonly onChange: (ok: boolean) => void,
    private readonly onFailure: (message: string) => void,
  ) {
    this.result = kind === 'Liveness' ? true : kind === 'Readiness' ? false : undefined;
  }

  start(): void {
    this.arm((this.probe.initialDelaySeconds ?? 0) * 1000 * this.timeScale);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.gate.run(() => void this.tick()), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const epoch = this.gate.epoch;
    const outcome = await runProbe(this.probe, this.target);
    // A probe that straddled a freeze timed out because the node stopped, not the app: rerun it.
    if (epoch !== this.gate.epoch) return this.gate.run(() => void this.tick());
    this.record(outcome);
  }

  private record(outcome: ProbeOutcome): void {
    if (this.stopped) return;
    if (outcome.ok) {
      this.failures = 0;
      this.successes++;
      if (this.result !== true && this.successes >= Math.max(1, this.probe.successThreshold ?? 1))
        this.flip(true);
    } else {
      this.successes = 0;
      this.failures++;
      this.onFailure(outcome.message ?? 'probe failed');
      if (this.result !== false && this.failures >= Math.max(1, this.probe.failureThreshold ?? 3))
        this.flip(false);
    }
    // The startup probe stops once it has passed, as the kubelet's does.
    if (this.kind === 'Startup' && this.result) return;
    this.arm((this.probe.periodSeconds ?? 10) * 1000 * this.timeScale);
  }

  private flip(ok: boolean): void {
    this.result = ok;
    this.onChange(ok);
  }
}

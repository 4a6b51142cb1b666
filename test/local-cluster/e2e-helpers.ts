/**
 * Helpers for the end-to-end suites on the assembled local cluster with the Novel Engine stack:
 * one cluster per file on short node periods, kubectl runs whose output can be awaited while they
 * run, load through gauntlet's own native engine, client-node event recorders, and the ingress
 * proxy's Prometheus counters.
 */
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig, makeInformer, CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import {
  startLocalCluster,
  type LocalCluster,
  type LocalClusterOptions,
} from '../../infra-fixtures/local-cluster/cluster/index.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import type { FailureSample, LoadSummary } from '../../lib/metrics/types.ts';
import { procInfo, stillSame, type ProcInfo } from '../../lib/local/process-tree.ts';
import { eventually, kubectlRunner, tempDir, type KubectlResult } from './api-helpers.ts';
import { conditionStatus, podPids, requireKubectl } from './cluster-helpers.ts';
import { recordDiagnostics } from './e2e-diagnostics.ts';

export { attemptOutcomes, clusterState, until } from './e2e-diagnostics.ts';

export const ns = 'novel-engine';
export const appSelector = 'app.kubernetes.io/name=novel-engine';

/**
 * Real time (timeScale 1) so the HPA's 5 min CPU initialisation and scale-down windows, the pods'
 * 300 s unreachable toleration and the apps' own probes keep their upstream lengths; only the node
 * heartbeat and grace periods are short: 2 s of grace against Lease renewals every 250 ms (a busy
 * 2-core box lags, never by eight beats). CPU samples stay 5 s apart: the HPA tells a sample from
 * after a pod's readiness by the condition's whole-second time, which 1 s samples can straddle
 * (the start-up CPU then reads as load and the HPA scales up).
 */
export const kE2eTimings = {
  timeScale: 1,
  nodeMonitorGracePeriodMs: 2_000,
  nodeMonitorPeriodMs: 250,
  leaseRenewIntervalMs: 250,
  nodeStatusUpdateIntervalMs: 1_000,
  hpaSyncPeriodMs: 5_000,
  ingressConnectTimeoutMs: 1_000,
} as const satisfies LocalClusterOptions;

export interface E2eCluster {
  readonly cluster: LocalCluster;
  readonly kubectl: ReturnType<typeof kubectlRunner>;
  /** kubectl that can be watched while it runs (drain, rollout status). */
  readonly kubectlLive: (args: string[], timeoutMs: number) => LiveKubectl;
  readonly kc: KubeConfig;
  /** Closes the cluster; resolves with the pod processes still alive afterwards (should be none). */
  close(): Promise<number[]>;
}

/** Starts a cluster, deploys the stack and remembers every pod process it ever runs. */
export async function startE2eCluster(prefix: string, extra: LocalClusterOptions = {}): Promise<E2eCluster> {
  await requireKubectl();
  const tmp = await tempDir(prefix);
  const cacheDir = `${tmp.dir}/cache`;
  let cluster: LocalCluster | undefined;
  // With its start time a pid names one process, whatever reuses the number later (pid_max may be 32768).
  const procs = new Map<number, ProcInfo>();
  let tracker: { stop(): void } | undefined;
  try {
    cluster = await startLocalCluster({ dir: tmp.dir, ...kE2eTimings, ...extra });
    const c = cluster;
    const pods = c.store.watch('pods', {}, (e) => {
      if (e.type !== 'BOOKMARK' && e.type !== 'ERROR')
        for (const pid of podPids(e.object as StoredObject)) {
          const info = procs.has(pid) ? undefined : procInfo(pid);
          if (info) procs.set(pid, info);
        }
    });
    const diagnostics = recordDiagnostics(c);
    tracker = { stop: () => (pods.stop(), diagnostics.stop()) };
    await c.deployStack({ timeoutMs: 90_000 });
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfigPath);
    return {
      cluster: c,
      kubectl: kubectlRunner(c.kubeconfigPath, cacheDir),
      kubectlLive: (args, timeoutMs) => kubectlLive(c.kubeconfigPath, cacheDir, args, timeoutMs),
      kc,
      async close() {
        tracker?.stop();
        await c.close();
        await tmp.cleanup();
        return [...procs.values()].filter(stillSame).map((p) => p.pid);
      },
    };
  } catch (err) {
    tracker?.stop();
    await cluster?.close().catch(() => undefined);
    await tmp.cleanup();
    throw err;
  }
}

export interface LiveKubectl {
  readonly pid: number | undefined;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches; rejects if kubectl exits first or the wait times out. */
  waitFor(pattern: RegExp, timeoutMs: number, stream?: 'stdout' | 'stderr'): Promise<void>;
  /** Ends it early (a failed test must not leave it running). */
  kill(): void;
  readonly done: Promise<KubectlResult>;
}

function kubectlLive(kubeconfig: string, cacheDir: string, args: string[], timeoutMs: number): LiveKubectl {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    env: { ...process.env, KUBECACHEDIR: cacheDir, KUBECONFIG: kubeconfig, HOME: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((out.stdout += d), poke()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => ((out.stderr += d), poke()));
  // Bounded: a kubectl that outlives its budget is killed (by its own pid) and reported as failed.
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<KubectlResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      poke();
      resolve({ code: code ?? (signal ? 128 : 1), stdout: out.stdout, stderr: out.stderr });
    });
  });
  let exited = false;
  void done.then(() => (exited = true));
  return {
    pid: child.pid,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    kill: () => void (exited || child.kill('SIGKILL')),
    done,
    waitFor(pattern, ms, stream = 'stderr') {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out[stream])) finish();
          else if (exited)
            finish(new Error(`kubectl ${args.join(' ')} exited before ${pattern}: ${out.stderr}`));
        };
        const timer = setTimeout(
          () => finish(new Error(`no ${pattern} from kubectl ${args.join(' ')} in ${ms} ms: ${out.stderr}`)),
          ms,
        );
        function finish(err?: Error) {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        }
        waiters.add(check);
        check();
      });
    },
  };
}

export interface LoadOutcome {
  /** The measured window: requests intended from the mark on (or all, without a mark). */
  readonly summary: LoadSummary;
  readonly failures: FailureSample[];
  /** Seconds the measured window lasted. */
  readonly seconds: number;
  /** Totals of the requests before the mark, when there was one. */
  readonly warmup: { intended: number; sent: number; dropped: number } | null;
}

export interface RunningLoad {
  /** Wall-clock time of the load's t = 0 (failure samples are in seconds from it). */
  readonly startedAt: string;
  /** Requests answered so far (updated every 250 ms). */
  sent(): number;
  /**
   * Waits until at most `max` requests are due but not yet answered (queued in the generator or in
   * flight): what was due before has been answered, so stopping now cancels only requests issued
   * after this point. Throws after `timeoutMs`: the stack did not keep up with the rate.
   */
  settle(max: number, timeoutMs: number): Promise<void>;
  /** Starts the measured window (the warm-up before it is summarised apart); resolves with its t, s. */
  mark(): Promise<number>;
  /** Ends the load (in-flight requests are cancelled, not counted) and summarises it. */
  stop(): Promise<LoadOutcome>;
}

const kLoadEntry = fileURLToPath(new URL('./e2e-load.ts', import.meta.url));

/**
 * Open-model load at `rate` req/s (the smoke scenario's mix) from gauntlet's native engine in a
 * process of its own (./e2e-load.ts), for at most `maxMs`. Requests time out after 30 s, long
 * above the ingress's retries.
 */
export async function startLoad(baseUrl: string, rate: number, maxMs: number): Promise<RunningLoad> {
  const child = fork(kLoadEntry, [baseUrl, String(rate), String(maxMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const totals = { due: 0, settled: 0, sent: 0 };
  let result: LoadOutcome | undefined;
  let marked: ((t: number) => void) | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before it ran`)));
    child.on('message', (m: { type: string; startedAt?: string } & typeof totals & LoadOutcome) => {
      if (m.type === 'ready') resolve(m.startedAt!);
      else if (m.type === 'progress') Object.assign(totals, { due: m.due, settled: m.settled, sent: m.sent });
      else if (m.type === 'marked') marked?.((m as unknown as { t: number }).t);
      else if (m.type === 'result')
        result = { summary: m.summary, failures: m.failures, seconds: m.seconds, warmup: m.warmup };
    });
  });
  let startedAt: string;
  try {
    startedAt = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    startedAt,
    sent: () => totals.sent,
    async settle(max, timeoutMs) {
      const inFlight = () => totals.due - totals.settled;
      await eventually(() => inFlight() <= max, timeoutMs, `at most ${max} requests in flight`).catch(
        (err: Error) => {
          throw new Error(`${err.message}: ${JSON.stringify(totals)}; the stack fell behind the rate`);
        },
      );
    },
    mark() {
      return new Promise<number>((resolve, reject) => {
        marked = resolve;
        void exited.then(() => reject(new Error('load generator exited before the mark')));
        child.send({ type: 'mark' });
      });
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop' });
      const bound = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(bound);
      if (!result) throw new Error(`load generator ended without a result (exit ${child.exitCode})`);
      return result;
    },
  };
}

/** One event a client-node informer or watch delivered. */
export interface SeenEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly name: string;
  readonly object: StoredObject;
}

export interface PodInformer {
  readonly events: SeenEvent[];
  /** The informer's cache. */
  list(): readonly V1Pod[];
  stop(): Promise<void>;
}

/** A client-node informer on the stack's pods (list, then watch), recording every callback. */
export async function startPodInformer(kc: KubeConfig): Promise<PodInformer> {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(
    kc,
    `/api/v1/namespaces/${ns}/pods`,
    () => core.listNamespacedPod({ namespace: ns, labelSelector: appSelector }),
    appSelector,
  );
  const events: SeenEvent[] = [];
  const push = (type: SeenEvent['type']) => (p: V1Pod) =>
    events.push({ type, name: p.metadata?.name ?? '', object: p as unknown as StoredObject });
  informer.on('add', push('ADDED'));
  informer.on('update', push('MODIFIED'));
  informer.on('delete', push('DELETED'));
  const errors: unknown[] = [];
  informer.on('error', (err) => errors.push(err));
  await informer.start();
  return {
    events,
    list: () => informer.list(ns),
    async stop() {
      await informer.stop();
      // An informer stops for good on any non-410 error; one before stop() means events were missed.
      const real = errors.filter((e) => (e as { name?: string })?.name !== 'AbortError');
      if (real.length) throw new Error(`pod informer failed: ${String(real[0])}`);
    },
  };
}

export interface WatchRecorder {
  readonly events: SeenEvent[];
  stop(): void;
}

/** A client-node Watch from now on (resourceVersion of a fresh list), recording every event. */
export async function startWatch(
  kc: KubeConfig,
  path: string,
  resourceVersion: string,
): Promise<WatchRecorder> {
  const events: SeenEvent[] = [];
  const ctrl = await new Watch(kc).watch(
    path,
    { resourceVersion, allowWatchBookmarks: true },
    (type, obj: StoredObject) => {
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')
        events.push({ type, name: obj.metadata.name, object: obj });
    },
    () => undefined,
  );
  return { events, stop: () => ctrl.abort() };
}

export function podsOf(cluster: LocalCluster): StoredObject[] {
  return cluster.store.list('pods', { namespace: ns, labelSelector: appSelector }).items;
}

/** Stack pods that are Ready and not terminating. */
export function readyPods(cluster: LocalCluster): StoredObject[] {
  return podsOf(cluster).filter(
    (p) => !p.metadata.deletionTimestamp && conditionStatus(p, 'Ready') === 'True',
  );
}

export function zoneOf(cluster: LocalCluster, node: string | undefined): string | undefined {
  return cluster.nodes.find((n) => n.name === node)?.zone;
}

/** Sum of a counter's samples whose labels include every given label (Prometheus text format). */
export async function ingressCounter(
  cluster: LocalCluster,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${cluster.ingressAdminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([^ ]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Rows of a kubectl table, split on runs of two or more spaces (columns may contain one). */
export function tableRows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

/**
 * The Novel Engine stack on the local cluster, loaded through its ingress at a fixed rate: does it
 * hold --rate req/s for --duration s at P95 < --p95 ms, and what does the ingress add against one
 * pod hit directly at the same rate?
 *
 * The cluster runs as `gauntlet local up --stack` runs it (infra-fixtures/local-cluster/main.ts in
 * its own process, the three app pods as its children); the load is gauntlet's native engine
 * (open model) in this process, as `gauntlet run` would be. Each phase is preceded by a warm-up
 * at the same rate that is not measured. Latency is from the intended send time (no coordinated
 * omission). CPU per request comes from /proc: the cluster process (ingress plus control plane),
 * the pods, and this process (the generator). The machine's load average is printed too: on a
 * shared 2-core machine it explains more of the tail than anything measured here.
 *
 *   npx tsx bench/stack.ts [--rate 1000] [--duration 30] [--warmup 5] [--path /healthz] [--p95 100]
 *                          [--connections 50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createNativeEngine } from '../lib/load/native/index.ts';
import { MetricsRecorder } from '../lib/metrics/recorder.ts';
import type { LoadSummary } from '../lib/result/schema.ts';
import { createClock } from '../lib/run/clock.ts';
import { procCpuSeconds, track } from './support/processes.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '30' },
    warmup: { type: 'string', default: '5' },
    path: { type: 'string', default: '/healthz' },
    p95: { type: 'string', default: '100' },
    connections: { type: 'string', default: '50' },
  },
});
const rate = Number(values.rate);
const durationS = Number(values.duration);
const warmupS = Number(values.warmup);
const p95GoalMs = Number(values.p95);
const requestPath = values.path;
const connections = Number(values.connections);
if (!(rate > 0)) throw new Error('--rate must be a positive number of requests per second');
if (!(durationS >= 5)) throw new Error('--duration must be at least 5 (seconds per measured phase)');
if (!(warmupS >= 0)) throw new Error('--warmup must be a number of seconds ≥ 0');
if (!(p95GoalMs > 0)) throw new Error('--p95 must be a positive number of milliseconds');
if (!requestPath.startsWith('/')) throw new Error('--path must start with /, e.g. /healthz');
if (!(Number.isInteger(connections) && connections >= 1))
  throw new Error('--connections must be a whole number ≥ 1 (keep-alive connections of the generator)');

const ns = 'novel-engine';
const repo = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

interface Cluster {
  readonly pid: number;
  readonly ingressUrl: string;
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

/** `gauntlet local up --stack` in the foreground: resolves once the stack answers through the ingress. */
async function startCluster(dir: string): Promise<Cluster> {
  const child: ChildProcess = track(
    spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repo, 'infra-fixtures/local-cluster/main.ts'), '--dir', dir, '--stack'],
      { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`local cluster exited during start (code ${code})`)));
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  const ready = JSON.parse(line) as {
    event: string;
    message?: string;
    ingressUrl: string;
    kubeconfig: string;
  };
  if (ready.event !== 'ready') {
    await stop();
    throw new Error(`local cluster did not start: ${ready.message ?? line}`);
  }
  return { pid: child.pid!, ingressUrl: ready.ingressUrl, kubeconfig: ready.kubeconfig, stop };
}

interface StackPod {
  readonly name: string;
  readonly url: string;
  readonly pid: number | undefined;
}

async function stackPods(kubeconfig: string): Promise<StackPod[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({
    namespace: ns,
    labelSelector: 'app.kubernetes.io/name=novel-engine',
  });
  return pods.items
    .filter(
      (p) =>
        !p.metadata?.deletionTimestamp &&
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((p) => {
      const id = /^proc:\/\/(\d+)$/.exec(p.status?.containerStatuses?.[0]?.containerID ?? '')?.[1];
      return {
        name: p.metadata!.name!,
        url: `http://${p.status!.podIP}:8080`,
        pid: id ? Number(id) : undefined,
      };
    });
}

interface Phase {
  readonly label: string;
  readonly summary: LoadSummary;
  readonly seconds: number;
  /** CPU µs per request: cluster process, all pods, this process. */
  readonly clusterUs: number;
  readonly podsUs: number;
  readonly generatorUs: number;
  readonly load: readonly number[];
}

/** One open-model run at `rate` for `seconds`, with the CPU each party spent on it. */
async function run(
  label: string,
  baseUrl: string,
  seconds: number,
  cpuOf: () => { cluster: number; pods: number },
) {
  const clock = createClock();
  const timeoutMs = 10_000;
  const recorder = new MetricsRecorder({ timeoutMs, now: clock.now });
  const before = { ...cpuOf(), self: process.cpuUsage() };
  const report = await createNativeEngine().run(
    {
      baseUrl,
      requests: [
        {
          name: 'get',
          method: 'GET',
          path: requestPath,
          headers: {},
          body: undefined,
          expectStatus: [200],
          weight: 1,
        },
      ],
      profile: { kind: 'constant-arrival-rate', rate, durationMs: seconds * 1000 },
      options: { maxInFlight: 10_000, timeoutMs, maxScheduleLagMs: 5_000, connections },
    },
    { clock, metrics: recorder, signal: new AbortController().signal },
  );
  const after = cpuOf();
  const self = process.cpuUsage(before.self);
  recorder.finish();
  const summary = recorder.summary({ engine: report.engine, model: report.model, durationS: seconds });
  const n = Math.max(1, summary.requests.sent);
  return {
    label,
    summary,
    seconds,
    clusterUs: ((after.cluster - before.cluster) * 1e6) / n,
    podsUs: ((after.pods - before.pods) * 1e6) / n,
    generatorUs: (self.user + self.system) / n,
    load: loadavg(),
  } satisfies Phase;
}

const ms = (v: number | null) => (v === null ? '     -' : v.toFixed(1).padStart(6));

function print(p: Phase): void {
  const s = p.summary;
  const l = s.latencyMs;
  console.log(
    `${p.label.padEnd(22)} ${s.achievedRps.toFixed(0).padStart(5)} ${ms(l.p50)} ${ms(l.p95)} ${ms(l.p99)} ${ms(l.max)}` +
      ` ${String(s.requests.failed).padStart(6)} ${String(s.requests.dropped).padStart(7)}` +
      ` ${p.clusterUs.toFixed(0).padStart(8)} ${p.podsUs.toFixed(0).padStart(6)} ${p.generatorUs.toFixed(0).padStart(6)}` +
      `   ${p.load.map((x) => x.toFixed(1)).join(' ')}`,
  );
}

const dir = await mkdtemp(path.join(tmpdir(), 'bench-stack-'));
let cluster: Cluster | undefined;
try {
  console.log(
    `stack: ${rate} req/s of GET ${requestPath} for ${durationS} s per phase (warm-up ${warmupS} s); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const started = performance.now();
  cluster = await startCluster(dir);
  const pods = await stackPods(cluster.kubeconfig);
  console.log(
    `cluster up with the stack in ${((performance.now() - started) / 1000).toFixed(1)} s: ingress ${cluster.ingressUrl}, pods ${pods.map((p) => p.name).join(', ')}`,
  );
  const direct = pods[0];
  if (!direct) throw new Error('no ready stack pod to hit directly');
  const c = cluster;
  const cpuOf = () => ({
    cluster: procCpuSeconds(c.pid) ?? Number.NaN,
    pods: pods.reduce(
      (sum, p) => sum + (p.pid === undefined ? Number.NaN : (procCpuSeconds(p.pid) ?? Number.NaN)),
      0,
    ),
  });

  const phases: Phase[] = [];
  if (warmupS > 0) await run('warm-up', cluster.ingressUrl, warmupS, cpuOf);
  phases.push(await run('through the ingress', cluster.ingressUrl, durationS, cpuOf));
  if (warmupS > 0) await run('warm-up', direct.url, warmupS, cpuOf);
  phases.push(await run(`one pod directly`, direct.url, durationS, cpuOf));
  const after = await stackPods(cluster.kubeconfig);

  console.log(
    `\n${'phase'.padEnd(22)} ${'req/s'.padStart(5)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'p99'.padStart(6)} ${'max'.padStart(6)}` +
      ` ${'failed'.padStart(6)} ${'dropped'.padStart(7)} ${'cluster'.padStart(8)} ${'pods'.padStart(6)} ${'gen'.padStart(6)}   load avg`,
  );
  console.log(
    `${''.padEnd(22)} ${''.padStart(5)} ${'(ms, from intended send)'.padStart(27)} ${''.padStart(14)} ${'(CPU µs per request)'.padStart(22)}`,
  );
  phases.forEach(print);
  for (const p of phases)
    console.log(
      JSON.stringify({
        phase: p.label,
        ...p.summary,
        cpuUsPerRequest: { cluster: p.clusterUs, pods: p.podsUs, generator: p.generatorUs },
        loadavg: p.load,
      }),
    );

  const [ingress, pod] = phases as [Phase, Phase];
  const ratio = (a: number | null, b: number | null) =>
    a !== null && b !== null && b > 0 ? a / b : Number.NaN;
  const li = ingress.summary.latencyMs;
  const lp = pod.summary.latencyMs;
  console.log(
    `\ningress overhead at ${rate} req/s: p50 ×${ratio(li.p50, lp.p50).toFixed(2)} (+${((li.p50 ?? 0) - (lp.p50 ?? 0)).toFixed(1)} ms),` +
      ` p95 ×${ratio(li.p95, lp.p95).toFixed(2)} (+${((li.p95 ?? 0) - (lp.p95 ?? 0)).toFixed(1)} ms),` +
      ` p99 ×${ratio(li.p99, lp.p99).toFixed(2)}; cluster process ${ingress.clusterUs.toFixed(0)} µs CPU per request (ingress + control plane)`,
  );
  if (after.length !== pods.length)
    console.log(
      `note: the HPA changed the stack from ${pods.length} to ${after.length} ready pods during the run`,
    );
  const s = ingress.summary;
  const held =
    s.requests.failed === 0 &&
    s.requests.dropped === 0 &&
    s.achievedRps >= rate * 0.99 &&
    li.p95 !== null &&
    li.p95 < p95GoalMs;
  console.log(
    `${held ? 'PASS' : 'FAIL'}: through the ingress ${s.achievedRps.toFixed(0)} of ${rate} req/s for ${durationS} s, ` +
      `P95 ${li.p95?.toFixed(1)} ms (goal < ${p95GoalMs} ms), ${s.requests.failed} failed, ${s.requests.dropped} dropped`,
  );
  process.exitCode = held ? 0 : 1;
} finally {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
}

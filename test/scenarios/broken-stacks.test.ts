/**
 * Seeded-broken stacks prove the verdicts can fail: each overlay in
 * infra-fixtures/k8s/overlays/broken breaks one claim of the Novel Engine stack, and the scenario
 * for that claim must fail the verdict guarding it, with evidence that names the cause; the healthy
 * stack passes the same scenario. No row rests on a latency SLA, so a busy machine cannot decide it.
 *
 * One local cluster (in this process) for the file. A row deploys its overlay only when another
 * one, or a stack a previous row left scaled, is deployed: the namespace is deleted and waited for
 * until it is gone, then the overlay is applied. Each scenario runs the way `gauntlet run
 * --kubeconfig` runs it (openClusterSession + runScenario). Cheap rows first.
 *
 * On a busy machine the load generator may fall behind its schedule; the runner then marks the run
 * invalid and every failed load-dependent verdict inconclusive. A broken row accepts that mark only
 * on an invalid run, and only with the verdict's own evidence of the failure, which the generator's
 * lag cannot produce (a cut request attributed to the killed pod, an HPA held at its maximum).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../infra-fixtures/local-cluster/cluster/index.ts';
import { kStackOverlay } from '../../infra-fixtures/local-cluster/cluster/stack.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { createEngine } from '../../lib/load/index.ts';
import { isRunning } from '../../lib/local/process-tree.ts';
import type { RunResult, Verdict } from '../../lib/result/schema.ts';
import { openClusterSession } from '../../lib/run/cluster-session.ts';
import { runScenario } from '../../lib/run/runner.ts';
import { loadScenarioFile } from '../../lib/scenario/load-file.ts';
import { podPids } from '../local-cluster/cluster-helpers.ts';
import { kE2eTimings } from '../local-cluster/e2e-helpers.ts';

const kNamespace = 'novel-engine';
const kBroken = path.join(kStackOverlay, '..', 'broken');
const kFixtures = path.join(import.meta.dirname, 'fixtures');
const kLayers = path.join(kFixtures, 'overlays');
const kPreflight = [
  'preflight.zone-spread',
  'preflight.pdb',
  'preflight.readiness-probes',
  'preflight.non-root',
  'preflight.read-only-root-fs',
];
/** The stack's HPA target (base/hpa.yaml): averageUtilization 70. */
const kCpuTarget = 70;
/** The load step of fixtures/autoscaling-quick.ts, s. */
const kLoadStepS = 4;

/**
 * The overlays the rows deploy. The zero-downtime and autoscaling rows put the same workload layer
 * (fixtures/overlays/README.md) under the healthy and the broken stack, so the pair differs only
 * by what the broken overlay changes.
 */
const kOverlays = {
  healthy: kStackOverlay,
  'no-readiness-probe': path.join(kBroken, 'no-readiness-probe'),
  'no-pdb': path.join(kBroken, 'no-pdb'),
  'one-zone': path.join(kBroken, 'one-zone'),
  'healthy + 100 ms downstream': path.join(kLayers, 'with-downstream-latency', 'healthy'),
  'no-graceful-shutdown + 100 ms downstream': path.join(
    kLayers,
    'with-downstream-latency',
    'no-graceful-shutdown',
  ),
  'hpa-cannot-scale + 50m CPU request': path.join(kLayers, 'with-small-cpu-request', 'hpa-cannot-scale'),
  'healthy + 50m CPU request': path.join(kLayers, 'with-small-cpu-request', 'healthy'),
} as const;
type Stack = keyof typeof kOverlays;

interface Row {
  readonly stack: Stack;
  readonly scenario: 'preflight-quick' | 'pod-kill-quick' | 'autoscaling-quick';
  /** The verdict the row is about: it must fail on a broken stack and pass on the healthy one. */
  readonly verdict: string;
  readonly broken: boolean;
  /** Start only once the HPA has a CPU metric (until then its desired count reads 0). */
  readonly settledHpa?: boolean;
  /** The run changes the stack (the HPA scales it), so the next row redeploys. */
  readonly leavesChanged?: boolean;
  /** Evidence that the verdict passed or failed for the reason the row is about. */
  readonly because: (r: RunResult, cluster: LocalCluster) => void;
}

function verdict(r: RunResult, name: string): Verdict {
  const v = r.verdicts.find((x) => x.name === name);
  if (!v) throw new Error(`no verdict ${name}; verdicts: ${r.verdicts.map((x) => x.name).join(', ')}`);
  return v;
}

/**
 * Passed; or failed, conclusively or on a run the generator made invalid (see the top of the file:
 * the caller then checks the verdict's evidence). Any other inconclusive verdict proves nothing.
 */
function expectVerdict(r: RunResult, name: string, pass: boolean): Verdict {
  const v = verdict(r, name);
  expect(v.pass, `${name}: ${v.observed}`).toBe(pass);
  if (v.inconclusive) {
    const health = verdict(r, 'generator-health');
    expect(r.valid, `${name} inconclusive on a valid run: ${v.observed}`).toBe(false);
    expect(v.evidence, `${name} inconclusive without evidence: ${v.observed}`).toBeDefined();
    console.log(`${name}: failed on a run marked invalid (${health.observed})`);
  }
  return v;
}

/** Only `failing` of the preflight verdicts fails: the overlay broke that claim and no other. */
function preflightOnly(r: RunResult, failing: string | null): void {
  for (const name of kPreflight) expectVerdict(r, name, name !== failing);
}

function gaugeMax(r: RunResult, name: string, from: number): number {
  const values = (r.gauges ?? []).filter((g) => g.name === name && g.t >= from).map((g) => g.value);
  return values.length ? Math.max(...values) : Number.NaN;
}

/** The pod-kill really happened three times under load: without that a pass proves nothing. */
function killedThrice(r: RunResult): void {
  expectVerdict(r, 'chaos-execution', true);
  expect(r.spans.filter((s) => s.kind === 'chaos')).toHaveLength(3);
  expect(r.events.filter((e) => e.kind === 'pod-terminating').length).toBeGreaterThanOrEqual(3);
  expect(r.load.requests.sent).toBeGreaterThan(1500);
}

interface ByCause {
  t: number;
  kind: string;
  object: string;
  failures: number;
}

const kPodCauses = ['pod-terminating', 'endpoint-removed', 'pod-deleted', 'pod-not-ready'];

const rows: Row[] = [
  {
    stack: 'healthy',
    scenario: 'preflight-quick',
    verdict: 'preflight.readiness-probes',
    broken: false,
    because: (r) => preflightOnly(r, null),
  },
  {
    stack: 'no-readiness-probe',
    scenario: 'preflight-quick',
    verdict: 'preflight.readiness-probes',
    broken: true,
    because: (r) => {
      preflightOnly(r, 'preflight.readiness-probes');
      const ev = verdict(r, 'preflight.readiness-probes').evidence as {
        containers: number;
        offenders: string[];
      };
      // Every container of every pod lacks the probe, and each offender is named.
      expect(ev.containers).toBeGreaterThanOrEqual(3);
      expect(ev.offenders).toHaveLength(ev.containers);
      for (const o of ev.offenders) expect(o).toMatch(/^pod novel-engine-\S+ container api$/);
    },
  },
  {
    stack: 'no-pdb',
    scenario: 'preflight-quick',
    verdict: 'preflight.pdb',
    broken: true,
    because: (r) => {
      preflightOnly(r, 'preflight.pdb');
      const v = verdict(r, 'preflight.pdb');
      expect((v.evidence as { pdbs: unknown[] }).pdbs).toEqual([]);
      expect(v.observed).toMatch(/no PodDisruptionBudget selects the target pods/);
    },
  },
  {
    stack: 'one-zone',
    scenario: 'preflight-quick',
    verdict: 'preflight.zone-spread',
    broken: true,
    because: (r) => {
      preflightOnly(r, 'preflight.zone-spread');
      const ev = verdict(r, 'preflight.zone-spread').evidence as { zones: Record<string, string[]> };
      expect(Object.keys(ev.zones)).toEqual(['zone-a']);
      expect(ev.zones['zone-a']?.length).toBeGreaterThanOrEqual(3);
    },
  },
  {
    stack: 'healthy + 100 ms downstream',
    scenario: 'pod-kill-quick',
    verdict: 'zero-downtime',
    broken: false,
    because: killedThrice,
  },
  {
    stack: 'no-graceful-shutdown + 100 ms downstream',
    scenario: 'pod-kill-quick',
    verdict: 'zero-downtime',
    broken: true,
    because: (r) => {
      killedThrice(r);
      const ev = verdict(r, 'zero-downtime').evidence as {
        failed: number;
        byCause: ByCause[];
        unattributed: number;
      };
      expect(ev.failed).toBeGreaterThan(0);
      // Every failure lies on a killed pod's way out (its termination, its endpoint's removal, or
      // the pod-kill that started it), and at least one names the pod itself.
      expect(ev.unattributed).toBe(0);
      const killed = new Set(r.events.filter((e) => e.kind === 'pod-terminating').map((e) => e.object));
      for (const c of ev.byCause) {
        expect(c.kind === 'chaos' || kPodCauses.includes(c.kind), JSON.stringify(c)).toBe(true);
        if (c.kind === 'pod-terminating') expect(killed.has(c.object), c.object).toBe(true);
      }
      // The pod itself is named, or, when its requests were already in flight at the kill (a pod
      // without graceful shutdown can drop them within ~100 ms, before its termination event), a
      // killed pod's termination follows the pod-kill within a second.
      const terminating = r.events.filter((e) => e.kind === 'pod-terminating');
      const onItsWayOut = (c: ByCause) =>
        c.kind === 'chaos' && terminating.some((e) => e.t >= c.t && e.t <= c.t + 1);
      expect(
        ev.byCause.some((c) => kPodCauses.includes(c.kind)) || ev.byCause.every(onItsWayOut),
        `${JSON.stringify(ev.byCause)}\npod-terminating at ${terminating.map((e) => e.t).join(', ')}`,
      ).toBe(true);
    },
  },
  {
    stack: 'hpa-cannot-scale + 50m CPU request',
    scenario: 'autoscaling-quick',
    verdict: 'autoscaling.scale-up',
    broken: true,
    settledHpa: true,
    leavesChanged: true,
    because: (r, cluster) => {
      // The HPA saw CPU above its target and still held 3 replicas: capped by maxReplicas.
      expect(gaugeMax(r, 'hpa.cpu', kLoadStepS)).toBeGreaterThan(kCpuTarget);
      const peak = expectVerdict(r, 'autoscaling.peak', false);
      expect((peak.evidence as { peak: number }).peak).toBe(3);
      const hpa = cluster.store.tryGet('horizontalpodautoscalers', kNamespace, 'novel-engine');
      const limited = ((hpa?.status?.conditions ?? []) as Array<{ type: string }>).find(
        (c) => c.type === 'ScalingLimited',
      );
      expect(limited).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    },
  },
  {
    stack: 'healthy + 50m CPU request',
    scenario: 'autoscaling-quick',
    verdict: 'autoscaling.scale-up',
    broken: false,
    settledHpa: true,
    leavesChanged: true,
    because: (r) => {
      expect(gaugeMax(r, 'hpa.cpu', kLoadStepS)).toBeGreaterThan(kCpuTarget);
      expectVerdict(r, 'autoscaling.peak', true);
    },
  },
];

describe('seeded-broken stacks fail the verdict guarding their claim; the healthy stack passes', () => {
  let cluster: LocalCluster;
  let dir: string;
  const pids = new Set<number>();
  let tracker: { stop(): void } | undefined;
  /** The overlay deployed now, and whether a run changed it since. */
  const deployed: { stack?: Stack; changed: boolean } = { changed: false };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'broken-stacks-'));
    cluster = await startLocalCluster({
      dir: path.join(dir, 'cluster'),
      ...kE2eTimings,
      onWarning: () => {},
    });
    tracker = cluster.store.watch('pods', {}, (e) => {
      if (e.type !== 'BOOKMARK' && e.type !== 'ERROR')
        for (const pid of podPids(e.object as StoredObject)) pids.add(pid);
    });
  }, 120_000);

  afterAll(async () => {
    tracker?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
    expect([...pids].filter(isRunning), 'pod processes left running').toEqual([]);
  }, 120_000);

  async function until(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what} after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function deploy(stack: Stack): Promise<void> {
    if (deployed.stack === stack && !deployed.changed) return;
    deployed.stack = undefined;
    if (cluster.store.tryGet('namespaces', '', kNamespace)) {
      cluster.store.delete('namespaces', '', kNamespace);
      // As `kubectl delete pods --all --grace-period=1` after it: the pods' own 30 s grace and preStop
      // hooks would only slow the test down.
      for (const pod of cluster.store.list('pods', { namespace: kNamespace }).items)
        cluster.store.delete('pods', kNamespace, pod.metadata.name!, { gracePeriodSeconds: 1 });
      await until(
        `namespace ${kNamespace} still there`,
        90_000,
        () => !cluster.store.tryGet('namespaces', '', kNamespace),
      );
    }
    await cluster.deployStack({ overlay: kOverlays[stack], timeoutMs: 120_000 });
    deployed.stack = stack;
    deployed.changed = false;
  }

  /** Until the HPA's first metric its desired count reads 0, which a scale-up check would take for a rise. */
  function settledHpa(): Promise<void> {
    return until('HPA has no CPU metric', 90_000, () => {
      const status = cluster.store.tryGet('horizontalpodautoscalers', kNamespace, 'novel-engine')?.status;
      return (status?.desiredReplicas ?? 0) > 0 && (status?.currentMetrics ?? []).length > 0;
    });
  }

  async function run(name: Row['scenario'], outDir: string): Promise<RunResult> {
    const file = path.join(kFixtures, `${name}.ts`);
    const scenario = await loadScenarioFile(file, { scale: 1 });
    const session = await openClusterSession({
      scenario,
      outDir,
      cluster: { local: false, kubeconfig: cluster.kubeconfigPath },
      readyTimeoutMs: 90_000,
    });
    try {
      const outcome = await runScenario({
        scenario,
        file,
        engine: createEngine('native'),
        reporters: [],
        outDir,
        session,
      });
      return outcome.result;
    } finally {
      await session.close();
    }
  }

  for (const row of rows) {
    it(`${row.stack} × ${row.scenario}: ${row.verdict} ${row.broken ? 'fails' : 'passes'}`, async () => {
      const started = Date.now();
      await deploy(row.stack);
      if (row.settledHpa) await settledHpa();
      const ready = Date.now();
      const outDir = path.join(dir, `${row.stack}-${row.scenario}`.replace(/[^\w.-]+/g, '_'));
      if (row.leavesChanged) deployed.changed = true;
      const result = await run(row.scenario, outDir);
      const v = expectVerdict(result, row.verdict, !row.broken);
      console.log(
        `${row.stack} × ${row.scenario}: ${v.name} ${v.pass ? 'PASS' : 'FAIL'}: ${v.observed} ` +
          `(deploy ${((ready - started) / 1000).toFixed(1)} s, run ${((Date.now() - ready) / 1000).toFixed(1)} s)`,
      );
      row.because(result, cluster);
    }, 240_000);
  }
});

/**
 * `gauntlet capacity --target local` on the embedded local cluster's Novel Engine stack: the
 * search finds a knee (and a lower one once the app's CPU work per request doubles), reading the ready replicas from the cluster and the pods' CPU from
 * metrics.k8s.io during each step.
 *
 * The stack is pinned to one replica with 10 ms of CPU work per API request (the HPA held at 1),
 * so the knee sits where one app process saturates, below what this shared machine can generate:
 * with three replicas the stack, the ingress and the generator would all share the same two cores
 * and the generator would fall behind first. For the same reason the cluster's processes run at a
 * lower priority than the generator (pods inherit it): near the knee the app takes a whole core,
 * and with other test files on the other one a starved generator would end the search as
 * generator-limited before the stack broke its SLA.
 */
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capacityResultSchema } from '../../lib/capacity/schema.ts';
import { localDown, localUp } from '../../lib/local/index.ts';
import { descendants } from '../../lib/local/process-tree.ts';
import { readFileSync } from 'node:fs';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';
import { kubectlRunner } from '../local-cluster/api-helpers.ts';
import { requireKubectl } from '../local-cluster/cluster-helpers.ts';

const dir = join(tempDir('gauntlet-capacity-local-'), 'cluster');

afterAll(async () => {
  // A failed assertion must not leave a cluster running.
  await localDown({ dir }).catch(() => undefined);
});

/** `gauntlet capacity` of the smoke scenario against the running local stack; its capacity.json. */
async function capacity(dir: string): Promise<{ r: Awaited<ReturnType<typeof runGauntlet>>; out: string }> {
  const out = join(tempDir('gauntlet-capacity-local-out-'), 'out');
  const r = await runGauntlet(
    [
      'capacity',
      'scenarios/smoke.ts',
      '--target',
      'local',
      '--local-dir',
      dir,
      '--sla',
      'p95<500ms',
      '--sla',
      'errors<1%',
      '--start',
      '20',
      '--factor',
      '2',
      '--max',
      '320',
      // One bisection between the last good and the first bad step: the knee is then not just a
      // power of two, so a doubled CPU cost shows as a lower maximum even if one step is unlucky.
      '--bisect',
      '1',
      '--hold',
      '6s',
      '--warmup',
      '2s',
      '--max-generator-lag',
      '250ms',
      '--target-rate',
      '200',
      '--out',
      out,
    ],
    { timeoutMs: 120_000 },
  );
  return { r, out };
}

describe('gauntlet capacity on the local stack', () => {
  it('finds a knee, with ready replicas and CPU per core from the cluster, and a lower one at twice the CPU work', async () => {
    await requireKubectl();
    const cluster = await localUp({ dir, stack: true, zones: 1, nodesPerZone: 1 });
    for (const pid of [cluster.pid, ...descendants(cluster.pid).map((p) => p.pid)]) {
      try {
        setPriority(pid, 10);
      } catch {
        // exited between the listing and now
      }
    }
    const kubectl = kubectlRunner(cluster.kubeconfig, join(dir, 'cache'));
    const ns = ['-n', 'novel-engine'];
    const ok = async (args: string[], timeoutMs?: number) => {
      const r = await kubectl(args, { timeoutMs: timeoutMs ?? 20_000 });
      expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
    };
    await ok([
      'patch',
      'hpa',
      'novel-engine',
      ...ns,
      '--type',
      'merge',
      '-p',
      '{"spec":{"minReplicas":1,"maxReplicas":1}}',
    ]);
    await ok(['set', 'env', 'deployment/novel-engine', ...ns, 'CPU_WORK_MS=10']);
    await ok(['rollout', 'status', 'deployment/novel-engine', ...ns, '--timeout=90s'], 100_000);

    const { r, out } = await capacity(dir);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/local cluster running \(pid \d+\)/);
    const result = capacityResultSchema.parse(JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')));
    expect(result.outcome, r.stdout).toBe('knee');
    const good = result.steps.find((s) => s.level === result.maxSustainableRps);
    expect(good?.cluster?.readyReplicas, r.stdout).toBe(1);
    // The kubelet samples every 5 s: a step of 8 s holds at least one sample.
    expect(good?.cluster?.cpuCores, JSON.stringify(good?.cluster)).toBeGreaterThan(0);
    expect(result.perReplica).toEqual({ rps: result.maxSustainableRps, units: 1 });
    expect(result.perCore?.rps).toBeGreaterThan(0);
    expect(result.recommendation?.replicas).toBeGreaterThanOrEqual(2);
    expect(r.stdout).toMatch(/ · 1 ready · [\d.]+ cores/);

    // Twice the CPU work per request: the same search must find a lower maximum.
    await ok(['set', 'env', 'deployment/novel-engine', ...ns, 'CPU_WORK_MS=20']);
    await ok(['rollout', 'status', 'deployment/novel-engine', ...ns, '--timeout=90s'], 100_000);
    const doubled = await capacity(dir);
    expect(doubled.r.exitCode, `${doubled.r.stdout}\n${doubled.r.stderr}`).toBe(0);
    const slower = capacityResultSchema.parse(
      JSON.parse(readFileSync(join(doubled.out, 'capacity.json'), 'utf8')),
    );
    expect(slower.outcome, doubled.r.stdout).toBe('knee');
    expect(
      slower.maxSustainableRps,
      `${result.maxSustainableRps} → ${slower.maxSustainableRps}`,
    ).toBeLessThan(result.maxSustainableRps!);
  }, 320_000);
});

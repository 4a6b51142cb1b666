/**
 * zone-outage through the `local` provider against the assembled local cluster (real pod
 * processes, the fault admin endpoint on its API server): the zone hosting most target pods goes
 * down for the hold and comes back on revert; a killed run's zone fault is recovered from the
 * journal; refusals and a server without the endpoint give clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startLocalCluster, type LocalCluster } from '../../infra-fixtures/local-cluster/cluster/index.ts';
import { createClusterClient, type ClusterClient } from '../../lib/cluster/client.ts';
import { parseChaosSchedule } from '../../chaos/parse.ts';
import { runChaosSchedule } from '../../chaos/schedule.ts';
import { ChaosJournal, CHAOS_ANNOTATION, readJournal } from '../../chaos/journal.ts';
import { recoverFromJournal } from '../../chaos/recover.ts';
import { ZoneOutage } from '../../chaos/zone-outage.ts';
import { createLocalZoneProvider } from '../../chaos/zone/local.ts';
import { ZoneFaultRejected } from '../../chaos/zone/provider.ts';
import type { ChaosTarget } from '../../chaos/action.ts';
import { tempDir } from '../local-cluster/api-helpers.ts';
import { podPids } from '../local-cluster/cluster-helpers.ts';
import { isRunning } from '../../lib/local/process-tree.ts';
import { directContext, recorder, startTestCluster, waitFor } from './cluster.ts';

let cluster: LocalCluster;
let client: ClusterClient;
let cleanup: () => Promise<void>;
let dir: string;
const target: ChaosTarget = { namespace: 'default', deployment: 'sleeper', selector: 'app=sleeper' };
const quiet = { log: () => undefined, signal: new AbortController().signal };

const readyOnNodes = () =>
  cluster.store
    .list('pods', { labelSelector: target.selector })
    .items.filter((p) =>
      p.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      ),
    )
    .map((p) => p.spec.nodeName as string);

beforeAll(async () => {
  const tmp = await tempDir('chaos-zone-');
  cleanup = tmp.cleanup;
  dir = tmp.dir;
  cluster = await startLocalCluster({ dir: path.join(tmp.dir, 'cluster'), zones: 3, nodesPerZone: 1 });
  client = createClusterClient({ kubeconfig: cluster.kubeconfigPath });
  // Two pods in zone-a, one in zone-b: zone-a hosts most target pods.
  for (const [i, node] of ['node-a1', 'node-a1', 'node-b1'].entries()) {
    await client.core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: `sleeper-${i}`, labels: { app: 'sleeper' } },
        spec: {
          nodeName: node,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'sleep', image: 'busybox:1.36', command: ['sh', '-c', 'exec sleep 600'] }],
        },
      },
    });
  }
  await waitFor(() => readyOnNodes().length === 3, 'three ready sleeper pods', 30_000);
}, 90_000);

afterAll(async () => {
  if (!cluster) return;
  const pids = cluster.store.list('pods').items.flatMap(podPids);
  await cluster.close();
  await cleanup?.();
  expect(pids.filter(isRunning), 'pod processes still running after close()').toEqual([]);
});

describe('zone-outage with the local provider', () => {
  it('takes the zone hosting most target pods down for the hold and brings it back', async () => {
    const entries = parseChaosSchedule([
      { at: 0, duration: '400ms', action: { kind: 'zone-outage', mode: 'stop' } },
    ]);
    const journal = await ChaosJournal.open(path.join(dir, 'run1.jsonl'));
    const rec = recorder();
    const seenDuringHold: string[][] = [];
    const t0 = Date.now();
    const result = await runChaosSchedule({
      entries,
      client,
      target,
      runId: 'run1',
      clock: { now: () => Date.now() - t0 },
      journal,
      signal: new AbortController().signal,
      emit: (i) => {
        rec.emit(i);
        if (i.type === 'event' && i.event.object === 'zone/zone-a' && i.event.message.startsWith('down'))
          seenDuringHold.push(cluster.faults().map((f) => `${f.zone}:${f.mode}`));
      },
    });
    expect(result.occurrences[0]).toMatchObject({ action: 'zone-outage', completed: true, reverted: true });
    expect(seenDuringHold).toEqual([['zone-a:stop']]);
    expect(cluster.faults()).toEqual([]);
    const [span] = rec.spans();
    expect(span).toMatchObject({
      kind: 'chaos',
      name: 'zone-outage',
      detail: { mode: 'stop', zone: 'zone-a', nodes: ['node-a1'] },
    });
    expect(span!.end! - span!.start).toBeGreaterThanOrEqual(0.4);
    const [entry] = await readJournal(journal.file);
    expect(entry).toMatchObject({
      reverted: true,
      undo: [{ kind: 'zone-recover', handle: { provider: 'local', zone: 'zone-a', mode: 'stop' } }],
    });
    expect(
      cluster.store.get('nodes', undefined, 'node-a1').metadata.annotations?.[CHAOS_ANNOTATION],
    ).toBeUndefined();
    // The rebooted node runs its pods again.
    await waitFor(
      () => readyOnNodes().filter((n) => n === 'node-a1').length === 2,
      'zone-a pods back',
      30_000,
    );
  });

  it('recovers the zone fault a killed run left, from its journal', async () => {
    const action = new ZoneOutage(
      {
        kind: 'zone-outage',
        zone: 'zone-b',
        mode: 'kubelet-down',
        provider: 'local',
        allowTotalOutage: false,
      },
      target,
    );
    const file = path.join(dir, 'killed.jsonl');
    const { ctx } = await directContext({ client }, target, action, file, { runId: 'killed' });
    await action.inject(ctx);
    // The process "dies" here: no revert.
    expect(cluster.faults().map((f) => f.zone)).toEqual(['zone-b']);
    expect(cluster.store.get('nodes', undefined, 'node-b1').metadata.annotations?.[CHAOS_ANNOTATION]).toBe(
      'killed/zone-outage',
    );
    const report = await recoverFromJournal(client, file);
    expect(report.entries).toEqual([
      expect.objectContaining({
        action: 'zone-outage',
        status: 'recovered',
        notes: ['zone zone-b recovered (local, kubelet-down)'],
      }),
    ]);
    expect(cluster.faults()).toEqual([]);
    expect(
      cluster.store.get('nodes', undefined, 'node-b1').metadata.annotations?.[CHAOS_ANNOTATION],
    ).toBeUndefined();
    expect((await readJournal(file))[0]?.reverted).toBe(true);
    // A second recovery finds nothing left to do.
    expect((await recoverFromJournal(client, file)).entries).toEqual([]);
  });

  it('reports refusals as ZoneFaultRejected, reverts by zone without an id, and ignores a fault already gone', async () => {
    const provider = createLocalZoneProvider(client);
    await expect(provider.inject('zone-x', 'stop', quiet)).rejects.toThrow(ZoneFaultRejected);
    await expect(provider.inject('zone-x', 'stop', quiet)).rejects.toThrow(
      /404 NotFound: zone: zone "zone-x" not found/,
    );
    const handle = await provider.inject('zone-c', 'pause', quiet);
    await expect(provider.inject('zone-c', 'stop', quiet)).rejects.toThrow(/409 Conflict/);
    // Same zone and mode, no id (the answer was lost): found by zone and mode.
    await provider.revert({ provider: 'local', zone: 'zone-c', mode: 'pause' }, quiet);
    expect(cluster.faults()).toEqual([]);
    await provider.revert(handle, quiet);
  });
  it("never ends someone else's fault when its own request was refused", async () => {
    const other = await cluster.fault({ zone: 'zone-c', mode: 'pause' });
    try {
      const action = new ZoneOutage(
        { kind: 'zone-outage', zone: 'zone-c', mode: 'pause', provider: 'local', allowTotalOutage: false },
        target,
      );
      const file = path.join(dir, 'refused.jsonl');
      const { ctx } = await directContext({ client }, target, action, file, { runId: 'refused' });
      await expect(action.inject(ctx)).rejects.toThrow(/409 Conflict: zone: node node-c1 already has fault/);
      expect(action.journalEntry().undo).toEqual([]);
      expect((await readJournal(file))[0]?.undo).toEqual([]);
      await action.revert(ctx);
      expect(cluster.faults().map((f) => f.id)).toEqual([other.id]);
    } finally {
      await cluster.recover(other.id);
    }
  });
});

describe('zone-outage against a cluster without the fault admin endpoint', () => {
  it('says the local provider needs the local cluster', async () => {
    const c = await startTestCluster('chaos-zone-none-');
    try {
      const provider = createLocalZoneProvider(c.client);
      await expect(provider.inject('zone-a', 'stop', quiet)).rejects.toThrow(
        /has no fault admin endpoint \(\/local-cluster\/v1\/faults\); the local provider works only against the local cluster/,
      );
    } finally {
      await c.close();
    }
  });
});

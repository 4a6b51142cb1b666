/**
 * The observer over a whole run's worth of watch trouble, against the real local API server:
 * watches the server ends are resumed, a resourceVersion that fell out of the server's history
 * (410) leads to a relist whose differences still reach the timeline, an unreachable server makes
 * `ready` fail, and stop() leaves no watch, socket or timer behind.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterClient } from '../../lib/cluster/client.ts';
import { startClusterObserver, type ClusterObserverOptions } from '../../lib/cluster/observer.ts';
import type { WatchLike } from '../../lib/cluster/reflector.ts';
import type { ClusterEvent, ClusterGaugePoint } from '../../lib/cluster/timeline.ts';
import { waitForReady } from '../../lib/cluster/wait-ready.ts';
import { deployWeb, eventually, startLocalCluster, type LocalCluster } from './harness.ts';

const NS = 'life';
let cluster: LocalCluster;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Watches the store's hub holds open (the API server keeps one per client watch). */
function hub(): { watcherCount: number; compactedRv: number } {
  return (cluster.store as unknown as { _hub: { watcherCount: number; compactedRv: number } })._hub;
}
const storeWatchers = () => hub().watcherCount;

function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

function sink() {
  const events: ClusterEvent[] = [];
  const gauges: ClusterGaugePoint[] = [];
  const errors: unknown[] = [];
  return {
    events,
    gauges,
    errors,
    options: (now: () => number): Omit<ClusterObserverOptions, 'watch'> => ({
      namespace: NS,
      deployment: 'web',
      selector: 'app=web',
      service: 'web',
      clock: now,
      onGauge: (g) => gauges.push(g),
      onEvent: (e) => events.push(e),
      onError: (err) => errors.push(err),
    }),
  };
}

async function scale(replicas: number): Promise<void> {
  await cluster.client.apps.patchNamespacedDeploymentScale(
    { name: 'web', namespace: NS, body: { spec: { replicas } } },
    merge,
  );
}

async function settle(): Promise<void> {
  await cluster.controllers.idle();
  await waitForReady(cluster.client, { namespace: NS, deployment: 'web' }, 20_000, { pollMs: 50 });
}

beforeAll(async () => {
  // A short history, so a paused watch falls behind it quickly.
  cluster = await startLocalCluster({ historyLimit: 100 });
  await deployWeb(cluster.client, NS, { replicas: 2, ingress: false });
  await settle();
});

afterAll(async () => {
  await cluster?.close();
});

describe('cluster observer lifecycle', () => {
  it('stop() ends every watch and leaves no socket or timer behind', async () => {
    await settle();
    const baseWatchers = storeWatchers();
    const base = handles();
    const s = sink();
    const obs = startClusterObserver(
      cluster.client,
      s.options(() => 1),
    );
    await obs.ready;
    // nodes, pods, deployment, replicasets, endpointslices, events
    await eventually(() => storeWatchers() === baseWatchers + 6, 5000, 'six watches open');
    // Client and server ends of the six watch connections.
    expect((handles().TCPSocketWrap ?? 0) - (base.TCPSocketWrap ?? 0)).toBeGreaterThanOrEqual(6);
    await obs.stop();
    await eventually(() => storeWatchers() === baseWatchers, 5000, 'server-side watches closed');
    await eventually(
      () => {
        const now = handles();
        return (
          (now.TCPSocketWrap ?? 0) <= (base.TCPSocketWrap ?? 0) && (now.Timeout ?? 0) <= (base.Timeout ?? 0)
        );
      },
      5000,
      `sockets and timers back to ${JSON.stringify(base)}`,
    );
    // Nothing reaches the timeline after stop.
    const before = s.events.length + s.gauges.length;
    await scale(3);
    await settle();
    expect(s.events.length + s.gauges.length).toBe(before);
    expect(s.errors).toEqual([]);
    await scale(2);
    await settle();
  });

  it('keeps observing across watches the server ends', async () => {
    await settle();
    const s = sink();
    let t = 0;
    const obs = startClusterObserver(cluster.client, { ...s.options(() => t), watchTimeoutSeconds: 1 });
    try {
      await obs.ready;
      // Several server-side closes later, changes still arrive.
      await new Promise((r) => setTimeout(r, 2500));
      t = 5;
      await scale(3);
      await eventually(
        () =>
          s.gauges.some((g) => g.name === 'deployment.available' && g.value === 3 && g.t === 5) &&
          s.events.some((e) => e.kind === 'endpoint-added' && e.t === 5),
        15_000,
        'available=3 and the new endpoint after watch rotations',
      );
      expect(s.events.filter((e) => e.kind === 'endpoint-added' && e.t === 5)).toHaveLength(1);
      expect(s.errors).toEqual([]);
    } finally {
      await obs.stop();
      await scale(2);
      await settle();
    }
  });

  it('relists when its resourceVersion fell out of the server history, and reports what it missed', async () => {
    await settle();
    // Re-watches wait at a gate we control, so the observer can be made to fall behind.
    let gate: Promise<void> | undefined;
    let open: () => void = () => undefined;
    const watchStarts: string[] = [];
    const gated: WatchLike = {
      async watch(path, params, cb, done) {
        await gate;
        watchStarts.push(`${path} ${String(params.resourceVersion)}`);
        return cluster.client.watch.watch(path, params, cb, done);
      },
    };
    const s = sink();
    let t = 0;
    const obs = startClusterObserver(cluster.client, {
      ...s.options(() => t),
      watchTimeoutSeconds: 1,
      watch: gated,
    });
    try {
      await obs.ready;
      gate = new Promise<void>((r) => (open = r));
      // Every watch ends within a second and waits at the gate to resume.
      await new Promise((r) => setTimeout(r, 1600));
      t = 7;
      await scale(1);
      await settle();
      cluster.store.create('configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'churn', namespace: 'default' },
        data: {},
      });
      for (let i = 0; i < 150; i++) {
        cluster.store.mutate('configmaps', 'default', 'churn', (d) => void (d.data = { i: String(i) }));
      }
      const startsBefore = watchStarts.length;
      const compacted = hub().compactedRv;
      expect(compacted).toBeGreaterThan(0);
      open();
      gate = undefined;
      await eventually(
        () =>
          s.events.some((e) => e.kind === 'pod-deleted' && e.t === 7) &&
          s.events.some((e) => e.kind === 'endpoint-removed' && e.t === 7) &&
          s.gauges.some((g) => g.name === 'deployment.desired' && g.value === 1 && g.t === 7),
        15_000,
        'what happened while paused, after the relist',
      );
      // The pods watch resumed from a version the server no longer had, then from a fresh list's.
      const podStarts = watchStarts
        .slice(startsBefore)
        .filter((w) => w.startsWith(`/api/v1/namespaces/${NS}/pods `))
        .map((w) => Number(w.split(' ')[1]));
      expect(podStarts[0]).toBeLessThan(compacted);
      expect(podStarts[1]).toBeGreaterThanOrEqual(compacted);
      expect(s.errors).toEqual([]);
    } finally {
      open();
      await obs.stop();
      await scale(2);
      await settle();
    }
  });

  it('rejects ready when the API server cannot be reached, and stops cleanly', async () => {
    const dead = `${cluster.api.kubeconfigPath}.dead`;
    await copyFile(cluster.api.kubeconfigPath, dead);
    await writeFile(
      dead,
      (await readFile(dead, 'utf8')).replace(/server: .*/, 'server: https://127.0.0.1:1'),
    );
    const s = sink();
    const obs = startClusterObserver(createClusterClient({ kubeconfig: dead }), {
      ...s.options(() => 0),
      initialListTimeoutMs: 300,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    const err = await obs.ready.catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(
      /^list (nodes|pods|deployment|replicasets|endpointslices|events)/,
    );
    expect(String((err as Error).message)).toContain('ECONNREFUSED');
    await obs.stop();
    expect(s.gauges).toEqual([]);
  });
});

/**
 * preflightSnapshot against the local cluster: pod zones from node labels, readiness probes,
 * the pod/container securityContext merge, and which PodDisruptionBudgets cover the target.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightSnapshot } from '../../lib/cluster/preflight.ts';
import { waitForReady } from '../../lib/cluster/wait-ready.ts';
import { startLocalCluster, type LocalCluster } from './harness.ts';

const NS = 'pf';
let cluster: LocalCluster;
const zoneOfNode: Record<string, string> = {
  'node-a1': 'zone-a',
  'node-a2': 'zone-a',
  'node-b1': 'zone-b',
  'node-c1': 'zone-c',
};

function deployment(): V1Deployment {
  const labels = { app: 'web' };
  return {
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true },
          containers: [
            {
              name: 'app',
              image: 'web:1',
              readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
              securityContext: { readOnlyRootFilesystem: true },
            },
            // Container settings win over the pod's: root despite the pod-level runAsNonRoot.
            { name: 'root-sidecar', image: 'side:1', securityContext: { runAsUser: 0 } },
            {
              name: 'opt-out',
              image: 'side:1',
              securityContext: { runAsNonRoot: false, readOnlyRootFilesystem: false },
            },
          ],
        },
      },
    },
  };
}

beforeAll(async () => {
  cluster = await startLocalCluster();
  const { client, store } = cluster;
  await client.core.createNamespace({ body: { metadata: { name: NS } } });
  await client.apps.createNamespacedDeployment({ namespace: NS, body: deployment() });
  await client.apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: 'uid' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'uid' } },
        template: {
          metadata: { labels: { app: 'uid' } },
          spec: { securityContext: { runAsUser: 1000 }, containers: [{ name: 'c', image: 'c:1' }] },
        },
      },
    },
  });
  const pdb = (name: string, selector: object, allowed: number) => {
    store.create('poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, namespace: NS },
      spec: { maxUnavailable: 1, selector },
    });
    store.mutate(
      'poddisruptionbudgets',
      NS,
      name,
      (d) =>
        void (d.status = {
          disruptionsAllowed: allowed,
          currentHealthy: 3,
          desiredHealthy: 3 - allowed,
          expectedPods: 3,
        }),
      { subresource: 'status' },
    );
  };
  pdb('web', { matchLabels: { app: 'web' } }, 1);
  pdb('other', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }, 0);
  pdb('everything', {}, 0);
  await waitForReady(client, { namespace: NS, deployment: 'web' }, 20_000, { pollMs: 50 });
  await waitForReady(client, { namespace: NS, deployment: 'uid' }, 20_000, { pollMs: 50 });
});

afterAll(async () => {
  await cluster?.close();
});

describe('preflightSnapshot', () => {
  it('lists the target pods with their zone, readiness and container security facts', async () => {
    const snap = await preflightSnapshot(cluster.client, {
      namespace: NS,
      selector: 'app=web',
      podLabels: { app: 'web' },
    });
    expect(snap.pods).toHaveLength(3);
    for (const pod of snap.pods) {
      expect(pod.name).toMatch(/^web-/);
      expect(pod.ready).toBe(true);
      expect(pod.zone).toBe(zoneOfNode[pod.node]);
      expect(pod.containers).toEqual([
        { name: 'app', readinessProbe: true, runAsNonRoot: true, readOnlyRootFilesystem: true },
        { name: 'root-sidecar', readinessProbe: false, runAsNonRoot: false, readOnlyRootFilesystem: false },
        { name: 'opt-out', readinessProbe: false, runAsNonRoot: false, readOnlyRootFilesystem: false },
      ]);
    }
    // The scheduler spreads three pods over the zones.
    expect(new Set(snap.pods.map((p) => p.zone)).size).toBeGreaterThanOrEqual(2);
  });

  it('counts a non-zero pod-level runAsUser as non-root', async () => {
    const snap = await preflightSnapshot(cluster.client, {
      namespace: NS,
      selector: 'app=uid',
      podLabels: { app: 'uid' },
    });
    expect(snap.pods[0]?.containers).toEqual([
      { name: 'c', readinessProbe: false, runAsNonRoot: true, readOnlyRootFilesystem: false },
    ]);
  });

  it('reports each PDB with its allowed disruptions and whether it selects the target', async () => {
    const snap = await preflightSnapshot(cluster.client, {
      namespace: NS,
      selector: 'app=web',
      podLabels: { app: 'web' },
    });
    expect(snap.pdbs).toEqual([
      {
        name: 'everything',
        disruptionsAllowed: 0,
        matchesTarget: true,
        currentHealthy: 3,
        desiredHealthy: 3,
      },
      { name: 'other', disruptionsAllowed: 0, matchesTarget: false, currentHealthy: 3, desiredHealthy: 3 },
      { name: 'web', disruptionsAllowed: 1, matchesTarget: true, currentHealthy: 3, desiredHealthy: 2 },
    ]);
  });

  it('leaves out terminating pods', async () => {
    cluster.kubelet.holdTermination = true;
    try {
      const before = await preflightSnapshot(cluster.client, {
        namespace: NS,
        selector: 'app=uid',
        podLabels: { app: 'uid' },
      });
      await cluster.client.core.deleteNamespacedPod({ name: before.pods[0]!.name, namespace: NS });
      const after = await preflightSnapshot(cluster.client, {
        namespace: NS,
        selector: 'app=uid',
        podLabels: { app: 'uid' },
      });
      expect(after.pods.map((p) => p.name)).not.toContain(before.pods[0]!.name);
    } finally {
      cluster.kubelet.holdTermination = false;
    }
  });
});

/**
 * An in-process cluster for the chaos suites: store, API server, basic controllers, nodes in
 * zones, and a stand-in kubelet that makes pods Ready without running anything, except pods that
 * cannot be ready (an unpullable `.invalid` image, or a readiness probe on the bad path), which it
 * leaves in ErrImagePull / not ready the way the process kubelet would.
 */
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import {
  startBasicControllers,
  type BasicControllers,
} from '../../infra-fixtures/local-cluster/controllers/basic.ts';
import { createClusterClient, type ClusterClient } from '../../lib/cluster/client.ts';
import {
  DEFAULT_BAD_READINESS_PATH,
  DEFAULT_CHAOS_LIMITS,
  type ChaosLimits,
} from '../../lib/scenario/chaos-schema.ts';
import type { ChaosAction, ChaosContext, ChaosEmission, ChaosTarget } from '../../chaos/action.ts';
import { ChaosJournal } from '../../chaos/journal.ts';
import { addNode, markPodReady, tempDir } from '../local-cluster/api-helpers.ts';

export interface TestCluster {
  store: Store;
  api: ApiServer;
  client: ClusterClient;
  dir: string;
  close(): Promise<void>;
}

interface Container {
  image?: string;
  readinessProbe?: { httpGet?: { path?: string } };
}

function cannotBeReady(pod: StoredObject): boolean {
  return (pod.spec?.containers ?? []).some(
    (c: Container) =>
      (c.image ?? '').startsWith('gauntlet.invalid/') ||
      c.readinessProbe?.httpGet?.path === DEFAULT_BAD_READINESS_PATH,
  );
}

function markImagePullFailed(store: Store, pod: StoredObject): void {
  store.mutate(
    'pods',
    pod.metadata.namespace,
    pod.metadata.name ?? '',
    (d) => {
      d.status = {
        ...d.status,
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: (d.spec.containers ?? []).map((c: { name: string; image: string }) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: 'ErrImagePull', message: 'image not mapped' } },
        })),
      };
    },
    { subresource: 'status' },
  );
}

function startKubelet(store: Store): { stop(): void } {
  const seen = new Set<string>();
  const w = store.watch('pods', {}, (e) => {
    if (e.type === 'DELETED' || e.type === 'BOOKMARK') return;
    const pod = e.object as StoredObject;
    const { namespace, name, uid } = pod.metadata;
    if (pod.metadata.deletionTimestamp) {
      setImmediate(() => store.finalizeDelete('pods', namespace, name, uid));
      return;
    }
    if (!pod.spec?.nodeName || pod.status?.phase !== 'Pending' || seen.has(uid)) return;
    seen.add(uid);
    setImmediate(() => {
      const cur = store.tryGet('pods', namespace, name);
      if (cur?.metadata.uid !== uid || cur.metadata.deletionTimestamp) return;
      if (cannotBeReady(cur)) markImagePullFailed(store, cur);
      else markPodReady(store, cur);
    });
  });
  return { stop: () => w.stop() };
}

/** Nodes node-a1, node-a2 (zone-a), node-b1, node-b2 (zone-b), node-c1 (zone-c). */
export async function startTestCluster(prefix: string): Promise<TestCluster> {
  const tmp = await tempDir(prefix);
  const store = new Store({ historyLimit: 500 });
  let i = 1;
  for (const [name, zone] of [
    ['node-a1', 'zone-a'],
    ['node-a2', 'zone-a'],
    ['node-b1', 'zone-b'],
    ['node-b2', 'zone-b'],
    ['node-c1', 'zone-c'],
  ] as const)
    addNode(store, name, zone, i++);
  const controllers: BasicControllers = startBasicControllers(store);
  const kubelet = startKubelet(store);
  const api = await startApiServer({ store, dir: tmp.dir });
  const client = createClusterClient({ kubeconfig: api.kubeconfigPath });
  return {
    store,
    api,
    client,
    dir: tmp.dir,
    async close() {
      await api.close();
      await controllers.stop();
      kubelet.stop();
      await tmp.cleanup();
    },
  };
}

export async function createDeployment(
  c: TestCluster,
  name: string,
  replicas: number,
  extra: { nodeName?: string; progressDeadlineSeconds?: number; namespace?: string } = {},
): Promise<ChaosTarget> {
  const namespace = extra.namespace ?? 'default';
  await c.client.apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        ...(extra.progressDeadlineSeconds ? { progressDeadlineSeconds: extra.progressDeadlineSeconds } : {}),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            ...(extra.nodeName ? { nodeSelector: { 'kubernetes.io/hostname': extra.nodeName } } : {}),
            containers: [
              {
                name: 'app',
                image: 'novel-engine:1',
                ports: [{ containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
              },
            ],
          },
        },
      },
    },
  });
  return { namespace, deployment: name, selector: `app=${name}` };
}

/** Polls until `check` is truthy (bounded); throws naming `what`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function readyPods(store: Store, selector: string): StoredObject[] {
  return store
    .list('pods', { labelSelector: selector })
    .items.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        p.status?.conditions?.some(
          (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
        ),
    );
}

/** Collects what actions emit, for assertions. */
export function recorder() {
  const items: ChaosEmission[] = [];
  return {
    items,
    emit: (i: ChaosEmission) => void items.push(i),
    events: () => items.flatMap((i) => (i.type === 'event' ? [i.event] : [])),
    spans: () => items.flatMap((i) => (i.type === 'span' ? [i.span] : [])),
  };
}

/** A context for driving one action by hand, journalled like the scheduler does it. */
export async function directContext(
  c: Pick<TestCluster, 'client'>,
  target: ChaosTarget,
  action: ChaosAction,
  journalFile: string,
  opts: { runId?: string; limits?: ChaosLimits; signal?: AbortSignal } = {},
) {
  const rec = recorder();
  const journal = await ChaosJournal.open(journalFile);
  const runId = opts.runId ?? 'run-test';
  const guard = journal.guard(
    { runId, action: action.name, server: c.client.server, context: c.client.contextName, target },
    () => null,
  );
  const t0 = Date.now();
  const logs: string[] = [];
  const ctx: ChaosContext = {
    client: c.client,
    target,
    runId,
    clock: { now: () => Date.now() - t0 },
    signal: opts.signal ?? new AbortController().signal,
    limits: opts.limits ?? DEFAULT_CHAOS_LIMITS,
    log: (m) => void logs.push(m),
    emit: rec.emit,
    checkpoint: () => guard.checkpoint(c.client, action.journalEntry()),
  };
  return { ctx, guard, rec, logs, journal };
}

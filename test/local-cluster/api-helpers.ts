/**
 * Test helpers for the API/controller suites: a stand-in kubelet that marks bound pods Ready and
 * finalizes terminating ones (the real process kubelet lives elsewhere), nodes, and a kubectl runner
 * that never touches the user's ~/.kube.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import type { KubeObject, StoredObject } from '../../infra-fixtures/local-cluster/store/types.ts';
import { rfc3339 } from '../../infra-fixtures/local-cluster/store/util.ts';

let podIpCounter = 10;

export function addNode(store: Store, name: string, zone: string, index: number): StoredObject {
  return store.create('nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': 'local',
      },
    },
    spec: { podCIDR: `127.1.${index}.0/24` },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [
        { type: 'InternalIP', address: `127.0.1.${index}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        osImage: 'Local Process Runtime',
        kernelVersion: '6.1.0',
        containerRuntimeVersion: 'process://1.0',
      },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    },
  });
}

/** Marks a pod Running and Ready the way the kubelet reports it. */
export function markPodReady(store: Store, pod: KubeObject): StoredObject {
  const now = rfc3339(store.now());
  const ip = `127.1.9.${podIpCounter++ % 250}`;
  return store.mutate(
    'pods',
    pod.metadata.namespace,
    pod.metadata.name ?? '',
    (d) => {
      const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
      d.status = {
        ...d.status,
        phase: 'Running',
        hostIP: '127.0.1.1',
        podIP: ip,
        podIPs: [{ ip }],
        startTime: now,
        conditions: [
          'PodReadyToStartContainers',
          'Initialized',
          'Ready',
          'ContainersReady',
          'PodScheduled',
        ].map(cond),
        containerStatuses: (d.spec.containers ?? []).map((c: { name: string; image: string }) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          containerID: 'proc://4242',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: now } },
        })),
      };
    },
    { subresource: 'status' },
  );
}

/** A stand-in kubelet: bound pods become Ready on the next tick, terminating pods are finalized. */
export function startFakeKubelet(
  store: Store,
  options: { autoReady?: () => boolean; holdTermination?: () => boolean } = {},
): { stop(): void } {
  const w = store.watch('pods', {}, (e) => {
    if (e.type === 'DELETED' || e.type === 'BOOKMARK') return;
    const pod = e.object as StoredObject;
    const { namespace, name, uid } = pod.metadata;
    if (pod.metadata.deletionTimestamp) {
      if (options.holdTermination?.()) return;
      setImmediate(() => store.finalizeDelete('pods', namespace, name, uid));
    } else if (pod.spec?.nodeName && pod.status?.phase === 'Pending' && (options.autoReady?.() ?? true)) {
      setImmediate(() => {
        const cur = store.tryGet('pods', namespace, name);
        if (cur?.metadata.uid === uid && cur.status?.phase === 'Pending' && !cur.metadata.deletionTimestamp)
          markPodReady(store, cur);
      });
    }
  });
  return { stop: () => w.stop() };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl against our kubeconfig with a private discovery cache (spec G2). */
export function kubectlRunner(kubeconfig: string, cacheDir: string) {
  return (args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, ...args],
        {
          env: { ...process.env, KUBECACHEDIR: cacheDir, KUBECONFIG: kubeconfig, HOME: cacheDir },
          timeout: opts.timeoutMs ?? 20_000,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

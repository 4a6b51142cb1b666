/**
 * Bugs the end-to-end suites found in the local cluster, pinned where they live: a pod template
 * as `kubectl rollout undo` sends it, and probes whose prober (the cluster's own event loop)
 * stalls while the app has already answered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpGet,
  runProbe,
  type ProbeOutcome,
  type ProbeTarget,
} from '../../infra-fixtures/local-cluster/kubelet/probe.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';

describe('pod templates as Go clients send them', () => {
  it('store a null creationTimestamp as unset, so an undone template equals its old ReplicaSet', () => {
    // `kubectl rollout undo` JSON-patches /spec/template with the Go-serialised old template.
    const store = new Store();
    const template = (annotations: Record<string, string>) => ({
      metadata: { creationTimestamp: null, labels: { app: 'web' }, annotations },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
    });
    for (const storage of ['deployments', 'replicasets'] as const) {
      store.create(storage, {
        apiVersion: 'apps/v1',
        kind: storage === 'deployments' ? 'Deployment' : 'ReplicaSet',
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template({ v: '1' }) },
      });
      expect(store.get(storage, 'default', 'web').spec.template.metadata).toEqual({
        labels: { app: 'web' },
        annotations: { v: '1' },
      });
      store.patch(storage, 'default', 'web', 'json', [
        { op: 'replace', path: '/spec/template', value: template({ v: '2' }) },
      ]);
      expect(store.get(storage, 'default', 'web').spec.template.metadata).toEqual({
        labels: { app: 'web' },
        annotations: { v: '2' },
      });
    }
  });
});

/**
 * Blocks this process's event loop, as a busy cluster process does, from the check phase: the
 * next loop iteration then starts with the timers, as after a stall in any I/O callback.
 */
function stall(ms: number): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      spin(ms);
      resolve();
    }),
  );
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe('probes across a stall of the prober', () => {
  let server: ChildProcess;
  let port: number;
  // Answers /slow after 100 ms, never answers /never; in its own process, so it runs during the stall.
  const script = `require('node:http').createServer((q, s) => { if (q.url === '/slow') setTimeout(() => s.end('ok'), 100); })
    .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const target: ProbeTarget = { host: '127.0.0.1', ports: undefined, env: {}, cwd: process.cwd() };

  beforeAll(async () => {
    server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(server.stdout!, 'data')) as [Buffer];
    port = Number(line.toString().trim());
  });

  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
  });

  it('httpGet: an answer that arrived during the stall passes; no answer still times out', async () => {
    const probe = httpGet({ path: '/slow', port }, target, 200);
    // The request is out and answered 100 ms later, while this process is stuck for 600 ms.
    await new Promise((r) => setTimeout(r, 30));
    await stall(600);
    expect(await probe).toEqual({ ok: true });

    const never = await httpGet({ path: '/never', port }, target, 200);
    expect(never.ok).toBe(false);
    expect(never.message).toMatch(/context deadline exceeded/);
  });

  it('tcpSocket: a connection accepted during the stall passes', async () => {
    // The connect is issued on the next tick; the stall follows it, before its completion is read.
    const probe = await new Promise<Promise<ProbeOutcome>>((resolve) =>
      setImmediate(() => {
        const p = runProbe({ tcpSocket: { port }, timeoutSeconds: 0.2 }, target);
        process.nextTick(() => {
          spin(600);
          resolve(p);
        });
      }),
    );
    expect(await probe).toEqual({ ok: true });
  });
});

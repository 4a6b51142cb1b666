/**
 * Following runner pod logs through the local API server when the log stream misbehaves: a follow
 * that ends while the runner still runs is read again without duplicating what was taken, and a
 * follow that missed the tail is completed by one plain read after the container terminated. The
 * runner pod and its log are made by hand here (a store pod plus the API server's log provider).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogProvider } from '../../infra-fixtures/local-cluster/api/context.ts';
import { startApiServer, type ApiServer } from '../../infra-fixtures/local-cluster/api/server.ts';
import { Store } from '../../infra-fixtures/local-cluster/store/store.ts';
import { createClusterClient, type ClusterClient } from '../../lib/cluster/client.ts';
import { K6OutputMerger } from '../../lib/load/k6/merge.ts';
import { RunnerFleet } from '../../lib/load/k6-operator/runners.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import { k6DoubleDir } from './k6-scenarios.ts';

const output = `${readFileSync(path.join(k6DoubleDir, 'points-sample.ndjson'), 'utf8')}\n`;
const t0 = Date.parse('2026-08-01T10:00:00Z');

let store: Store;
let api: ApiServer;
let dir: string;
let client: ClusterClient;
let provider: LogProvider = () => '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-k6op-runners-'));
  store = new Store();
  api = await startApiServer({ store, dir, providers: { logs: (p, o, s) => provider(p, o, s) } });
  client = createClusterClient({ kubeconfig: api.kubeconfigPath });
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

function runnerPod(testRun: string): string {
  const pod = store.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${testRun}-1-abcde`,
      namespace: 'default',
      labels: { app: 'k6', k6_cr: testRun, runner: 'true' },
    },
    spec: { containers: [{ name: 'k6', image: 'grafana/k6' }] },
  });
  setContainer(pod.metadata.name, { running: { startedAt: '2026-08-01T10:00:00Z' } }, 'Running');
  return pod.metadata.name;
}

function setContainer(name: string, state: Record<string, unknown>, phase: string): void {
  store.mutate(
    'pods',
    'default',
    name,
    (d) =>
      void (d.status = {
        ...d.status,
        phase,
        containerStatuses: [{ name: 'k6', ready: true, restartCount: 0, image: 'grafana/k6', state }],
      }),
    { subresource: 'status' },
  );
}

async function follow(testRun: string) {
  const recorder = new MetricsRecorder({ timeoutMs: 10_000 });
  const merger = new K6OutputMerger(recorder, { toRunMs: (ms) => ms - t0 });
  const errors: unknown[] = [];
  const fleet = new RunnerFleet(client, 'default', testRun, merger, {
    onError: (e) => errors.push(e),
    retryMs: 20,
    settleMs: 200,
  });
  await fleet.start();
  for (let i = 0; i < 400 && fleet.drained() < 1; i++) await new Promise((r) => setTimeout(r, 25));
  const drained = fleet.drained();
  await fleet.stop();
  return { stats: merger.stats(), reports: fleet.reports(), drained, errors };
}

const exited = (name: string) =>
  setContainer(name, { terminated: { exitCode: 0, reason: 'Completed' } }, 'Succeeded');

describe('runner log following', () => {
  it('reads a log again after a follow ended early, without duplicates', async () => {
    let follows = 0;
    const half = Math.floor(output.length / 2);
    const name = runnerPod('early');
    provider = (_pod, o) => {
      if (!o.follow) return output;
      follows++;
      // First follow: half the log, then the stream ends though k6 still runs.
      if (follows === 1)
        return (onData, onEnd) => (onData(output.slice(0, half)), setTimeout(onEnd, 10), () => undefined);
      // Then the whole log from the start, ending when the container exits.
      return (onData, onEnd) => {
        onData(output);
        setTimeout(() => (exited(name), onEnd()), 50);
        return () => undefined;
      };
    };
    const { stats, reports, drained, errors } = await follow('early');
    expect(drained).toBe(1);
    expect(follows).toBe(2);
    expect(stats).toMatchObject({ requests: 7, dropped: 1, malformed: 1 });
    expect(reports[0]).toMatchObject({
      pod: name,
      exitCode: 0,
      terminated: true,
      bytes: Buffer.byteLength(output),
      rereads: 1,
    });
    expect(errors).toEqual([]);
  });

  it('completes a follow that missed the tail with one plain read after the container exited', async () => {
    const name = runnerPod('tail');
    const cut = output.indexOf('"metric":"http_req_failed"') + 10;
    provider = (_pod, o) => {
      if (!o.follow) return output;
      return (onData, onEnd) => {
        onData(output.slice(0, cut));
        setTimeout(() => (exited(name), onEnd()), 30);
        return () => undefined;
      };
    };
    const { stats, reports, drained } = await follow('tail');
    expect(drained).toBe(1);
    expect(stats).toMatchObject({ requests: 7, dropped: 1 });
    expect(reports[0]).toMatchObject({ bytes: Buffer.byteLength(output), rereads: 0, readError: null });
  });

  it('cuts a follow that stays open after the container exited, and reads the rest', async () => {
    const name = runnerPod('linger');
    let stopped = 0;
    provider = (_pod, o) => {
      if (!o.follow) return output;
      return (onData) => {
        onData(output.slice(0, 100));
        setTimeout(() => exited(name), 30);
        return () => void stopped++;
      };
    };
    const started = Date.now();
    const { stats, reports, drained } = await follow('linger');
    expect(drained).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(stopped).toBe(1);
    expect(stats).toMatchObject({ requests: 7, dropped: 1 });
    expect(reports[0]).toMatchObject({ bytes: Buffer.byteLength(output), exitCode: 0 });
  });
});

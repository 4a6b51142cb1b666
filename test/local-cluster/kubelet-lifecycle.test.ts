import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Backoff, goDuration } from '../../infra-fixtures/local-cluster/kubelet/backoff.ts';
import { podKeyOf } from '../../infra-fixtures/local-cluster/kubelet/types.ts';
import {
  get,
  makePod,
  processExists,
  recordingKubelet,
  serverContainer,
  waitFor,
} from './kubelet-fixtures.ts';

const node = { name: 'node-k2', address: '127.0.42.1' };
// 0.02: a 10 s back-off becomes 200 ms, a 1 s probe period 20 ms.
const { kubelet, rec } = recordingKubelet(node, { timeScale: 0.02 });

afterAll(() => kubelet.close());

const pidOf = (containerID: string | undefined) => Number(containerID?.replace('proc://', ''));

/** Ready (no readiness probe: as soon as it runs) and bound to its port. */
function serving(key: string) {
  return waitFor(
    'serving',
    () =>
      rec.latest(key)?.containerStatuses[0]?.ready &&
      kubelet.logs(key).includes('listening') &&
      rec.latest(key),
  );
}

describe('crash back-off arithmetic', () => {
  it('restarts at once, then 10 s doubling to 5 min, and resets after a run of 10 min', () => {
    const b = new Backoff(10_000, 300_000);
    const delays = Array.from({ length: 8 }, () => b.next(1000));
    expect(delays.map(goDuration)).toEqual(['0ms', '10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '5m0s']);
    expect(b.next(600_000)).toBe(0);
    expect(b.next(1000)).toBe(10_000);
  });
});

describe('process kubelet: restarts', () => {
  it('restarts a crashing container with back-off; restartCount rises and the pod shows CrashLoopBackOff', async () => {
    const pod = makePod(node.name, [
      { name: 'crash', image: 'test/exec:1', command: ['sh', '-c', 'echo run; exit 3'] },
    ]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const looping = await waitFor('restartCount 3', () => {
      const c = rec.latest(key)?.containerStatuses[0];
      return c && c.restartCount >= 3 && c;
    });
    expect(looping.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const seen = rec.statuses.get(key)!.map((s) => s.containerStatuses[0]!);
    const waiting = seen.filter((c) => c.state.waiting?.reason === 'CrashLoopBackOff');
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    // The first restart is immediate, then 10 s doubling (scaled): 200ms, 400ms, …
    expect(waiting[0]!.state.waiting!.message).toMatch(
      /^back-off 200ms restarting failed container=crash pod=/,
    );
    expect(waiting[1]!.state.waiting!.message).toMatch(/^back-off 400ms /);
    expect(rec.latest(key)!.phase).toBe('Running');
    expect(rec.events.some((e) => e.key === key && e.event.reason === 'BackOff')).toBe(true);
    expect(kubelet.logs(key, { previous: true })).toBe('run\n');
    await kubelet.terminatePod(pod, 0);
  });

  it('follows restartPolicy: Never leaves a failed container Failed, OnFailure stops after success', async () => {
    const never = makePod(node.name, [{ name: 'c', image: 'test/exec:1', command: ['sh', '-c', 'exit 2'] }], {
      restartPolicy: 'Never',
    });
    const onFailure = makePod(node.name, [{ name: 'c', image: 'test/exec:1', command: ['true'] }], {
      restartPolicy: 'OnFailure',
    });
    kubelet.syncPod(never);
    kubelet.syncPod(onFailure);
    const failed = await waitFor(
      'Failed',
      () => rec.latest(podKeyOf(never))?.phase === 'Failed' && rec.latest(podKeyOf(never)),
    );
    expect(failed.containerStatuses[0]).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: 2, reason: 'Error' } },
    });
    const done = await waitFor(
      'Succeeded',
      () => rec.latest(podKeyOf(onFailure))?.phase === 'Succeeded' && rec.latest(podKeyOf(onFailure)),
    );
    expect(done.containerStatuses[0]).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(done.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    await Promise.all([kubelet.terminatePod(never, 0), kubelet.terminatePod(onFailure, 0)]);
  });

  it('kills and restarts a container whose liveness probe fails', async () => {
    const pod = makePod(
      node.name,
      [
        serverContainer({
          livenessProbe: { httpGet: { path: '/fail', port: 8080 }, periodSeconds: 5, failureThreshold: 2 },
        }),
      ],
      { terminationGracePeriodSeconds: 1 },
    );
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    await waitFor('a restart', () => (rec.latest(key)?.containerStatuses[0]?.restartCount ?? 0) >= 1);
    const reasons = rec.events
      .filter((e) => e.key === key)
      .map((e) => `${e.event.reason}: ${e.event.message}`);
    expect(reasons).toContain('Killing: Container app failed liveness probe, will be restarted');
    // The app answers 500; before it listens, or on a busy machine, an attempt is refused or times
    // out instead: any failed attempt is an Unhealthy event.
    expect(
      reasons.filter((r) => r.startsWith('Unhealthy: Liveness probe failed: ')),
      reasons.join('\n'),
    ).not.toHaveLength(0);
    await kubelet.terminatePod(pod, 1);
  });
});

describe('process kubelet: termination', () => {
  it('runs preStop, then SIGTERM, waits the grace, then SIGKILLs the whole group of a container ignoring SIGTERM', async () => {
    const pod = makePod(
      node.name,
      [
        serverContainer({
          env: [{ name: 'IGNORE_TERM', value: '1' }],
          lifecycle: { preStop: { httpGet: { path: '/prestop', port: 'http' } } },
        }),
        // A shell ignoring SIGTERM with a child that inherits the ignore: only the group SIGKILL ends both.
        {
          name: 'shell',
          image: 'test/exec:1',
          command: ['sh', '-c', 'trap "" TERM; sleep 300 & echo child $!; wait'],
        },
      ],
      { terminationGracePeriodSeconds: 3 },
    );
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const running = await waitFor(
      'running',
      () => rec.latest(key)?.containerStatuses.every((c) => c.state.running) && rec.latest(key),
    );
    await waitFor('listening', () => kubelet.logs(key, { container: 'app' }).includes('listening'));
    const child = Number(
      (
        await waitFor(
          'child',
          () => /child (\d+)/.exec(kubelet.logs(key, { container: 'shell' })) ?? undefined,
        )
      )[1],
    );
    const pids = [...running.containerStatuses.map((c) => pidOf(c.containerID)), child];
    const lines: string[] = [];
    kubelet.followLogs(
      key,
      { container: 'app' },
      (text) => lines.push(text.trim()),
      () => undefined,
    );
    const start = Date.now();
    await kubelet.terminatePod(pod);
    const elapsed = Date.now() - start;
    expect(pids.filter(processExists)).toEqual([]);
    expect(lines.filter((t) => t.startsWith('event'))).toEqual(['event prestop', 'event sigterm']);
    expect(elapsed).toBeGreaterThanOrEqual(2900); // the grace of 3 s ran out before SIGKILL
    expect(elapsed).toBeLessThan(6000);
    const final = rec.latest(key)!;
    for (const c of final.containerStatuses) {
      expect(c.state.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: 'Error' });
    }
    expect(final.phase).toBe('Failed');
    expect(final.conditions.find((c) => c.type === 'Ready')!.status).toBe('False');
    expect(rec.events.some((e) => e.key === key && e.event.reason === 'Killing')).toBe(true);
  });

  it('lets a draining app exit on SIGTERM after an exec preStop sleep; the pod ends Succeeded', async () => {
    const pod = makePod(node.name, [
      serverContainer({
        env: [{ name: 'DRAIN_MS', value: '100' }],
        lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
      }),
    ]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    await waitFor(
      'listening',
      () => rec.latest(key)?.containerStatuses[0]?.state.running && kubelet.logs(key).includes('listening'),
    );
    const start = Date.now();
    await kubelet.terminatePod(pod, 10);
    const elapsed = Date.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(8000);
    const final = rec.latest(key)!;
    expect(final.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(final.phase).toBe('Succeeded');
    expect(kubelet.podKeys()).not.toContain(key);
  });
});

describe('process kubelet: node faults', () => {
  it('pauseAll freezes the processes (requests hang) and resumeAll thaws them; heartbeats follow', async () => {
    const pod = makePod(node.name, [serverContainer()]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const s = await serving(key);
    const pid = pidOf(s.containerStatuses[0]!.containerID);
    kubelet.pauseAll();
    expect(kubelet.state).toBe('paused');
    expect(kubelet.heartbeating).toBe(false);
    await waitFor(
      'stopped state',
      () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] === 'T',
    );
    expect(await get(`http://${s.podIP}:8080/`, 400)).toBe('timeout');
    kubelet.resumeAll();
    expect(await get(`http://${s.podIP}:8080/`)).toBe(200);
    expect(rec.heartbeats.slice(-2)).toEqual([false, true]);
    await kubelet.terminatePod(pod, 1);
  });

  it('stopAll kills everything and holds status; resumeAll reboots the containers', async () => {
    const pod = makePod(node.name, [serverContainer()]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const s = await serving(key);
    const pid = pidOf(s.containerStatuses[0]!.containerID);
    const reports = rec.statuses.get(key)!.length;
    await kubelet.stopAll();
    expect(processExists(pid)).toBe(false);
    expect(await get(`http://${s.podIP}:8080/`, 400)).toBe('error'); // refused: nothing listens
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.statuses.get(key)!.length).toBe(reports); // a powered-off kubelet reports nothing
    kubelet.resumeAll();
    const back = await waitFor('restarted', () => {
      const c = rec.latest(key)?.containerStatuses[0];
      return c?.ready && c.restartCount === 1 && c;
    });
    expect(pidOf(back.containerID)).not.toBe(pid);
    expect(back.lastState.terminated).toMatchObject({ exitCode: 137, signal: 9 });
    await kubelet.terminatePod(pod, 1);
  });

  it('stopped heartbeats hold status and deletions until they resume; processes keep serving', async () => {
    const pod = makePod(node.name, [serverContainer()]);
    const key = podKeyOf(pod);
    kubelet.syncPod(pod);
    const s = await serving(key);
    kubelet.stopHeartbeats();
    expect(rec.heartbeats.at(-1)).toBe(false);
    expect(await get(`http://${s.podIP}:8080/`)).toBe(200);
    let done = false;
    const deletion = kubelet.terminatePod(pod, 1).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false); // Terminating until the node is reachable again
    expect(await get(`http://${s.podIP}:8080/`)).toBe(200);
    kubelet.startHeartbeats();
    await deletion;
    expect(rec.latest(key)!.phase).toBe('Succeeded');
  });
});

/**
 * `gauntlet local up --monitoring` on a local cluster already running without monitoring starts
 * Prometheus and Alertmanager for it (recorded in its state.json): `local status` shows them,
 * `local down` stops them with the cluster. Anything else asked of a running cluster is refused
 * with what to do instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localDown, localUp } from '../../lib/local/index.ts';
import { isRunning } from '../../lib/local/process-tree.ts';
import type { LocalState } from '../../lib/local/state.ts';
import { PrometheusClient } from '../../lib/monitoring/api.ts';
import { openClusterSession } from '../../lib/run/cluster-session.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await localDown({ dir }).catch(() => undefined);
});

const readState = (dir: string) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LocalState;

describe('local up --monitoring on a running cluster', () => {
  it('adds Prometheus and Alertmanager to it; status shows them, down stops them', async () => {
    const dir = join(tempDir('gauntlet-add-monitoring-'), 'cluster');
    dirs.push(dir);
    const cluster = await localUp({ dir, zones: 1, nodesPerZone: 1 });
    expect(readState(dir).monitoring).toBeUndefined();

    // A run with a server-side SLA on this cluster is refused before it waits for any target.
    const scenario = resolveScenario({
      name: 'needs-prometheus',
      target: { kubernetes: { namespace: 'novel-engine', deployment: 'novel-engine' } },
      requests: [{ path: '/healthz' }],
      load: { kind: 'constant-arrival-rate', rate: 1, duration: '5s' },
      slas: [{ promql: 'sum(up)', id: 'targets', op: '>=', value: 1 }],
    });
    await expect(
      openClusterSession({
        scenario,
        outDir: join(dir, 'out'),
        cluster: { local: true, localDir: dir },
        needsPrometheus: true,
      }),
    ).rejects.toThrow(
      "server-side SLA 'targets' reads Prometheus, but this run has none (the local cluster runs without monitoring): " +
        'give the run a Prometheus that scrapes the target with --prometheus URL --alertmanager URL, ' +
        'or for the local cluster start its monitoring with gauntlet local up --monitoring (a running cluster gets it added)',
    );

    // Through the API: only the monitoring is started, and its handle stops only the monitoring.
    const handle = await localUp({ dir, monitoring: { scrapeIntervalS: 1 } });
    expect(handle).toMatchObject({ alreadyRunning: true, pid: cluster.pid, kubeconfig: cluster.kubeconfig });
    const first = handle.monitoring!;
    expect(readState(dir).monitoring?.pid).toBe(first.pid);
    expect((await fetch(`${first.prometheusUrl}/-/ready`)).status).toBe(200);
    await handle.stop();
    expect([first.pid, first.pids.prometheus, first.pids.alertmanager].filter(isRunning)).toEqual([]);
    expect(isRunning(cluster.pid)).toBe(true);
    expect(readState(dir).monitoring).toBeUndefined();

    // Through the CLI.
    const up = await runGauntlet(['local', 'up', '--monitoring', '--scrape-interval', '1s', '--dir', dir], {
      timeoutMs: 90_000,
    });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain(
      `local cluster already running (pid ${cluster.pid}) in ${dir}; monitoring started for it`,
    );
    const m = readState(dir).monitoring!;
    expect(m).toMatchObject({ scrapeIntervalS: 1, evaluationIntervalS: 1 });
    expect(up.stdout).toContain(`prometheus: ${m.prometheusUrl}`);
    expect(up.stdout).toContain(`alertmanager: ${m.alertmanagerUrl}`);
    expect((await fetch(`${m.alertmanagerUrl}/-/ready`)).status).toBe(200);
    // It watches this cluster: kube-state-metrics, served by the cluster's API, is scraped (≤ 20 polls).
    const prometheus = new PrometheusClient(m.prometheusUrl);
    let ksmUp: number | undefined;
    for (let i = 0; i < 20 && ksmUp !== 1; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ksmUp = (await prometheus.query('up{job="kube-state-metrics"}').catch(() => []))[0]?.value;
    }
    expect(ksmUp).toBe(1);

    const status = await runGauntlet(['local', 'status', '--dir', dir]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`prometheus:   ${m.prometheusUrl} (scrape 1 s, evaluation 1 s)`);
    expect(status.stdout).toContain(`alertmanager: ${m.alertmanagerUrl}`);

    // Nothing left to add, or something a running cluster cannot be given: refused, naming why.
    const again = await runGauntlet(['local', 'up', '--monitoring', '--dir', dir]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(
      `a local cluster is already running in ${dir} (pid ${cluster.pid}); its Prometheus (${m.prometheusUrl}) and Alertmanager (${m.alertmanagerUrl}) run already`,
    );
    const plain = await runGauntlet(['local', 'up', '--dir', dir]);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain(`stop it with gauntlet local down --dir ${dir} first`);
    await expect(localUp({ dir, zones: 3, monitoring: true })).rejects.toThrow(
      /it has 1 zone; for another shape, stop it with gauntlet local down --dir .* first/,
    );
    await expect(localUp({ dir, stack: true, monitoring: true })).rejects.toThrow(
      /it runs without the stack; to deploy it, stop it with gauntlet local down/,
    );

    const down = await runGauntlet(['local', 'down', '--dir', dir], { timeoutMs: 60_000 });
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain(`monitoring stopped (pid ${m.pid})`);
    expect(down.stdout).toContain(`local cluster stopped (pid ${cluster.pid})`);
    expect([cluster.pid, m.pid, m.pids.prometheus, m.pids.alertmanager].filter(isRunning)).toEqual([]);
  }, 240_000);
});

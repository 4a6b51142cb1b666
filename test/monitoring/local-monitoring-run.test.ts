/**
 * Monitoring through the real CLI: `gauntlet local up --stack --monitoring` runs Prometheus and
 * Alertmanager beside the cluster and records them in state.json, `local status` prints their
 * URLs, `gauntlet run` on a scenario with an alert-detection entry records the alerts and judges
 * the zone outage, and `local down` leaves none of the processes behind. A cluster that goes away
 * by itself takes its monitoring with it.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.ts';
import { localDown, localUp } from '../../lib/local/index.ts';
import { isRunning, signal, waitFor } from '../../lib/local/process-tree.ts';
import type { LocalState } from '../../lib/local/state.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';
import { requireKubectl } from '../local-cluster/cluster-helpers.ts';

const dirs: string[] = [];

afterAll(async () => {
  // A failed assertion must not leave a cluster (or a Prometheus) running.
  for (const dir of dirs) await localDown({ dir }).catch(() => undefined);
});

const readState = (dir: string) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LocalState;

describe('gauntlet local up --monitoring', () => {
  it('up, status, a run judged on its alerts, down: no process left behind', async () => {
    await requireKubectl();
    const base = tempDir('gauntlet-monitoring-');
    const dir = join(base, 'cluster');
    dirs.push(dir);
    const up = await runGauntlet(
      [
        'local',
        'up',
        '--stack',
        '--monitoring',
        '--scrape-interval',
        '1s',
        '--dir',
        dir,
        '--zones',
        '2',
        '--nodes-per-zone',
        '2',
      ],
      { timeoutMs: 200_000 },
    );
    expect(up.exitCode, up.stderr).toBe(0);
    const state = readState(dir);
    const m = state.monitoring!;
    expect(up.stdout).toContain(`prometheus: ${m.prometheusUrl}`);
    expect(up.stdout).toContain(`alertmanager: ${m.alertmanagerUrl}`);
    expect(m).toMatchObject({ scrapeIntervalS: 1, evaluationIntervalS: 1 });
    expect(state.sdUrl).toBe(`${state.apiUrl}/local-cluster/v1/sd`);
    for (const url of [m.prometheusUrl, m.alertmanagerUrl]) {
      expect(new URL(url).hostname).toBe('127.0.0.1');
      expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    }

    const status = await runGauntlet(['local', 'status', '--dir', dir]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`prometheus:   ${m.prometheusUrl} (scrape 1 s, evaluation 1 s)`);
    expect(status.stdout).toContain(`alertmanager: ${m.alertmanagerUrl}`);

    // A run against it: the busiest zone frozen (`pause`); TargetDown must fire within a minute.
    // Frozen, where local-cluster-alerts.test.ts powers a zone off: the pods keep their sockets and
    // scrapes time out instead of being refused, which TargetDown must catch as well.
    const scenario = join(base, 'detect.ts');
    await writeFile(
      scenario,
      `export default ${JSON.stringify({
        name: 'detect',
        target: { kubernetes: { namespace: 'novel-engine', deployment: 'novel-engine' } },
        requests: [{ path: '/healthz' }],
        load: { kind: 'constant-arrival-rate', rate: 10, duration: '35s' },
        verify: [
          {
            kind: 'alert-detection',
            alerts: ['TargetDown'],
            within: '60s',
            fault: 'zone-outage',
            labels: { namespace: 'novel-engine' },
          },
        ],
        chaos: [{ at: '3s', duration: '25s', action: { kind: 'zone-outage', mode: 'pause' } }],
      })};\n`,
    );
    const run = await runGauntlet(['run', scenario, '--target', 'local', '--local-dir', dir, '--quiet'], {
      timeoutMs: 150_000,
    });
    expect(run.stderr).toContain(
      `alerts: recording from Alertmanager ${m.alertmanagerUrl} (the local cluster)`,
    );
    const verdict = run.result?.verdicts.find((v) => v.name === 'alert-detection [zone-outage]');
    console.log(`run verdict: ${verdict?.observed}`);
    expect(verdict?.pass, `${verdict?.observed}\n${run.stderr}`).toBe(true);
    expect(verdict?.observed).toMatch(
      /TargetDown fired after [\d.]+ s \(for 15 s, scrape 1 s, evaluation 1 s;/,
    );
    const events = run.result?.events ?? [];
    expect(events.find((e) => e.kind === 'monitoring')?.detail).toMatchObject({
      available: true,
      prometheusUrl: m.prometheusUrl,
      scrapeIntervalS: 1,
      forS: expect.objectContaining({ TargetDown: 15, NodeNotReady: 0 }),
    });
    expect(events.some((e) => e.kind === 'alert-firing' && e.detail?.alertname === 'TargetDown')).toBe(true);
    // The cluster was running, so the run leaves it (and its monitoring) up.
    expect(isRunning(m.pid)).toBe(true);

    const down = await runGauntlet(['local', 'down', '--dir', dir], { timeoutMs: 60_000 });
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain(`monitoring stopped (pid ${m.pid})`);
    expect(down.stdout).toContain(`local cluster stopped (pid ${state.pid})`);
    expect([state.pid, m.pid, m.pids.prometheus, m.pids.alertmanager].filter(isRunning)).toEqual([]);
  }, 420_000);

  it('monitoring goes when its cluster goes, however it was stopped', async () => {
    const dir = join(tempDir('gauntlet-monitoring-'), 'cluster');
    dirs.push(dir);
    const c = await localUp({ dir, zones: 1, nodesPerZone: 1, monitoring: { scrapeIntervalS: 2 } });
    const m = c.monitoring!;
    expect(m.scrapeIntervalS).toBe(2);
    signal(c.pid, 'SIGTERM');
    const gone = await waitFor(
      () => ![c.pid, m.pid, m.pids.prometheus, m.pids.alertmanager].some(isRunning),
      30_000,
    );
    expect(gone).toBe(true);
  }, 120_000);

  it('rejects monitoring flags without --monitoring, naming the fix', async () => {
    const r = await inProcess(['local', 'up', '--scrape-interval', '1s', '--dir', join(tempDir(), 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scrape-interval configures Prometheus: add --monitoring/);
    const rules = await inProcess(['local', 'up', '--monitoring', '--rules', '/nonexistent/rules.yaml']);
    expect(rules.code).toBe(2);
    expect(rules.stderr).toMatch(/--rules: \/nonexistent\/rules.yaml does not exist/);
    const half = await inProcess([
      'run',
      '--url',
      'http://127.0.0.1:1',
      '--prometheus',
      'http://127.0.0.1:9090',
    ]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(
      /--alertmanager is missing: give --prometheus URL and --alertmanager URL together/,
    );
    const bad = await inProcess(['run', '--url', 'http://127.0.0.1:1', '--alertmanager', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--alertmanager: 'nope' is not a URL/);
  });
});

/** The CLI's main() in this process, with its output captured: usage checks need no cluster. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

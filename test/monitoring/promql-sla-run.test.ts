/**
 * Server-side SLAs end to end: the stand-in app (its own process, 20 ms added to each API
 * request) scraped every second by the real Prometheus, and `gauntlet run` on a scenario whose
 * SLAs read the app's real series (novel_engine_http_request_duration_seconds,
 * novel_engine_http_requests_total). Checks the verdicts, the client-vs-server figures in
 * result.json and summary.md, abortOnFail on a server-side SLA, and the setup error without
 * Prometheus.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../lib/monitoring/api.ts';
import { kAlertmanagerConfig } from '../../lib/monitoring/config.ts';
import { startServer, type ServerProcess } from '../../lib/monitoring/process.ts';
import { killAll, spawnApp, type AppProcess } from '../app/harness.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

const SERVER_P95 =
  'histogram_quantile(0.95, sum by (le) (rate(novel_engine_http_request_duration_seconds_bucket{route="/api/v1/narratives"}[5s])))';
const SERVER_RPS =
  'sum(rate(novel_engine_http_requests_total{route="/api/v1/narratives", status="201"}[5s]))';

let app: AppProcess;
let prometheus: ServerProcess | undefined;
let alertmanager: ServerProcess | undefined;
let dir: string;

beforeAll(async () => {
  dir = tempDir('gauntlet-promql-');
  app = await spawnApp({ ADDED_LATENCY_MS: '20', LOG_LEVEL: 'silent' });
  await mkdir(path.join(dir, 'prom-data'));
  await mkdir(path.join(dir, 'am-data'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: novel-engine',
      `    static_configs: [{ targets: ['127.0.0.1:${app.port}'] }]`,
      '',
    ].join('\n'),
  );
  [prometheus, alertmanager] = await Promise.all([
    startServer({
      name: 'prometheus',
      binary: 'prometheus',
      args: (port) => [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      logFile: path.join(dir, 'prometheus.log'),
      readyPath: '/-/ready',
      timeoutMs: 30_000,
    }),
    startServer({
      name: 'alertmanager',
      binary: 'prometheus-alertmanager',
      args: (port) => [
        `--config.file=${kAlertmanagerConfig}`,
        `--storage.path=${path.join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      logFile: path.join(dir, 'alertmanager.log'),
      readyPath: '/-/ready',
      timeoutMs: 30_000,
    }),
  ]);
  // The app is scraped before any run starts (bounded: 20 polls).
  const client = new PrometheusClient(prometheus.url);
  for (let i = 0; i < 20; i++) {
    const up = await client.query('up{job="novel-engine"}').catch(() => []);
    if (up[0]?.value === 1) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Prometheus did not scrape the app within 10 s; see ${dir}/prometheus.log`);
}, 60_000);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), alertmanager?.stop()]);
  await killAll();
});

function scenarioFile(name: string, body: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(
    file,
    `export default ${JSON.stringify({
      name,
      target: `http://127.0.0.1:${app.port}`,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/narratives',
          body: { prompt: 'a lighthouse', maxWords: 5 },
          expectStatus: 201,
        },
      ],
      ...body,
    })};\n`,
  );
  return file;
}

const monitoringFlags = () => ['--prometheus', prometheus!.url, '--alertmanager', alertmanager!.url];

describe('server-side SLAs against the real Prometheus', () => {
  it('judges the server-side p95 and request rate and shows them beside the client-side figures', async () => {
    const file = scenarioFile('server-side', {
      load: { kind: 'constant-arrival-rate', rate: 20, duration: '12s' },
      slas: [
        'p95<500ms',
        { promql: SERVER_P95, id: 'server-p95', op: '<', value: 0.5, unit: 's', compareTo: 'p95' },
        // The rate window fills during the first seconds: judged on the last sample.
        { promql: SERVER_RPS, id: 'server-rps', op: '>=', value: 10, unit: 'req/s', reduce: 'last' },
      ],
    });
    const run = await runGauntlet(['run', file, ...monitoringFlags(), '--quiet'], { timeoutMs: 60_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const r = run.result!;
    const verdict = (name: string) => r.verdicts.find((v) => v.name === name);
    const p95 = verdict('sla [server] server-p95');
    const rps = verdict('sla [server] server-rps');
    console.log(`server-side: ${p95?.observed} | ${rps?.observed}`);
    expect(p95?.pass, p95?.observed).toBe(true);
    expect(rps?.pass, rps?.observed).toBe(true);
    expect(rps?.observed).toMatch(/^\{\}: (1\d|2\d)(\.\d+)? req\/s at [\d.]+ s \(\d+ samples\)$/);
    const samples = (r.gauges ?? []).filter((g) => g.name === 'promql:server-p95');
    expect(samples.length).toBeGreaterThanOrEqual(5);
    // 20 ms added per request puts every observation past the app's 10 ms bucket edge; how far
    // past depends on how busy the machine is.
    expect(samples.every((g) => g.value > 0.01 && g.value < 0.5)).toBe(true);

    const [row] = r.clientVsServer ?? [];
    console.log(`client vs server: ${JSON.stringify(row)}`);
    expect(row).toMatchObject({ sla: 'server-p95', metric: 'p95', unit: 'ms', limit: 500 });
    expect(row!.client).toBeGreaterThanOrEqual(20);
    expect(row!.server).toBeGreaterThan(10);
    expect(row!.server).toBeLessThan(500);
    expect(row!.difference).toBeCloseTo(row!.server! - row!.client!, 2);
    const md = readFileSync(path.join(run.outDir, 'summary.md'), 'utf8');
    expect(md).toContain('### Client vs server');
    expect(md).toContain('| p95 latency &lt; 500 ms (server-p95; server: worst sample) |');
  }, 90_000);

  it('aborts the run when a server-side abortOnFail SLA stays broken for its window', async () => {
    const file = scenarioFile('server-abort', {
      load: { kind: 'constant-arrival-rate', rate: 20, duration: '40s' },
      slas: [
        {
          promql: SERVER_RPS,
          id: 'quiet',
          op: '<',
          value: 5,
          unit: 'req/s',
          abortOnFail: true,
          abortWindow: '3s',
        },
      ],
    });
    const run = await runGauntlet(['run', file, ...monitoringFlags(), '--quiet'], { timeoutMs: 60_000 });
    expect(run.exitCode, run.stderr).toBe(1);
    const r = run.result!;
    console.log(`aborted after ${r.durationS} s: ${r.abortReason}`);
    expect(r.status).toBe('aborted');
    expect(r.durationS).toBeLessThan(20);
    expect(r.abortReason).toMatch(
      /^abortOnFail: server-side quiet broken over [\d.]+–[\d.]+ s \(observed [\d.]+ req\/s, limit < 5 req\/s\)$/,
    );
    expect(r.verdicts.at(-1)).toMatchObject({ name: 'abort-on-fail', pass: false, observed: r.abortReason });
  }, 90_000);

  it('refuses a scenario with a server-side SLA when the run has no Prometheus (exit 2)', async () => {
    const file = scenarioFile('server-none', {
      load: { kind: 'constant-arrival-rate', rate: 5, duration: '5s' },
      slas: [{ promql: SERVER_P95, id: 'server-p95', op: '<', value: 0.5, unit: 's' }],
    });
    const run = await runGauntlet(['run', file, '--quiet']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "error: server-side SLA 'server-p95' reads Prometheus, but this run has none (no --prometheus was given): " +
        'give the run a Prometheus that scrapes the target with --prometheus URL --alertmanager URL, ' +
        'or for the local cluster start its monitoring with gauntlet local up --monitoring',
    );
    expect(run.result).toBeUndefined();
  }, 60_000);
});

/**
 * Alert recording during a run against stand-in Prometheus and Alertmanager HTTP APIs: the budget
 * read from Prometheus' configuration and rules, firings as `alert-firing` events on the run clock,
 * failed polls counted, unreachable servers reported by name.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readMonitoring } from '../../lib/assert/detection-verify.ts';
import {
  checkMonitoring,
  parsePromDuration,
  prometheusIntervals,
  startAlertRecording,
} from '../../lib/run/alert-recording.ts';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function serve(routes: Record<string, () => unknown>): Promise<string> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = route();
    if (body instanceof Error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: body.message }));
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const config = (yaml: string) => () => ({ status: 'success', data: { yaml } });
const rules = () => ({
  status: 'success',
  data: {
    groups: [
      {
        name: 'g',
        file: 'rules.yaml',
        interval: 5,
        rules: [
          {
            name: 'TargetDown',
            duration: 15,
            state: 'firing',
            type: 'alerting',
            labels: {},
            health: 'ok',
            query: 'x',
          },
          {
            name: 'NodeNotReady',
            duration: 0,
            state: 'inactive',
            type: 'alerting',
            labels: {},
            health: 'ok',
            query: 'y',
          },
        ],
      },
    ],
  },
});

describe('alert recording', () => {
  it('parses Prometheus durations', () => {
    expect(parsePromDuration('15s')).toBe(15);
    expect(parsePromDuration('1m30s')).toBe(90);
    expect(parsePromDuration('500ms')).toBe(0.5);
    expect(parsePromDuration('2h')).toBe(7200);
    expect(parsePromDuration('15')).toBeUndefined();
    expect(parsePromDuration('1m 30s')).toBeUndefined();
  });

  it('reads the global intervals, defaulting to 1m like Prometheus', async () => {
    const a = await serve({
      '/api/v1/status/config': config('global:\n  scrape_interval: 5s\n  evaluation_interval: 1m30s\n'),
    });
    expect(await prometheusIntervals(a)).toEqual({ scrapeIntervalS: 5, evaluationIntervalS: 90 });
    const b = await serve({ '/api/v1/status/config': config('scrape_configs: []\n') });
    expect(await prometheusIntervals(b)).toEqual({ scrapeIntervalS: 60, evaluationIntervalS: 60 });
  });

  it('names the server that is not there', async () => {
    const up = await serve({ '/-/ready': () => 'ok' });
    expect(await checkMonitoring({ prometheusUrl: up, alertmanagerUrl: up, source: 'x' })).toBeNull();
    const gone = await serve({});
    expect(await checkMonitoring({ prometheusUrl: up, alertmanagerUrl: gone, source: 'x' })).toMatch(
      new RegExp(`^Alertmanager at ${gone} is not ready \\(HTTP 404\\)`),
    );
    expect(
      await checkMonitoring({ prometheusUrl: 'http://127.0.0.1:1', alertmanagerUrl: up, source: 'x' }),
    ).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:1 did not answer/);
  });

  it('records firings on the run clock with the budget, and counts failed polls', async () => {
    const runStartMs = Date.now() - 20_000;
    const startsAt = new Date(runStartMs + 12_500).toISOString();
    let failNext = true;
    const prometheus = await serve({
      '/api/v1/status/config': config('global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\n'),
      '/api/v1/rules': rules,
      '/api/v1/alerts': () => ({
        status: 'success',
        data: {
          alerts: [
            {
              labels: { alertname: 'TargetDown', job: 'novel-engine' },
              annotations: {},
              state: 'firing',
              activeAt: new Date(runStartMs + 7_000).toISOString(),
              value: '33',
            },
          ],
        },
      }),
    });
    const alertmanager = await serve({
      '/api/v2/alerts': () => {
        if (failNext) {
          failNext = false;
          return new Error('boom');
        }
        return [
          {
            labels: { alertname: 'TargetDown', job: 'novel-engine' },
            annotations: { summary: 'Some scrape targets are down.' },
            startsAt,
            endsAt: startsAt,
            updatedAt: startsAt,
            fingerprint: 'abc',
            status: { state: 'active', silencedBy: [], inhibitedBy: [] },
            receivers: [{ name: 'null' }],
          },
        ];
      },
    });
    const rec = startAlertRecording(
      { prometheusUrl: prometheus, alertmanagerUrl: alertmanager, source: 'x' },
      { intervalMs: 50 },
    );
    await new Promise((r) => setTimeout(r, 300));
    const events = await rec.finish(runStartMs);
    await rec.stop();
    expect(readMonitoring(events)).toEqual({
      available: true,
      prometheusUrl: prometheus,
      alertmanagerUrl: alertmanager,
      scrapeIntervalS: 5,
      evaluationIntervalS: 5,
      forS: { TargetDown: 15, NodeNotReady: 0 },
      pollErrors: 1,
      lastPollError: expect.stringContaining('boom'),
    });
    const firing = events.filter((e) => e.kind === 'alert-firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      t: 12.5,
      object: 'alert/TargetDown',
      message: 'TargetDown firing: Some scrape targets are down.',
      detail: { alertname: 'TargetDown', activeAtS: 7, startsAt },
    });
  });

  it('says why there is no budget when Prometheus cannot give one', async () => {
    const am = await serve({ '/api/v2/alerts': () => [] });
    const rec = startAlertRecording({
      prometheusUrl: 'http://127.0.0.1:1',
      alertmanagerUrl: am,
      source: 'the command line',
    });
    const events = await rec.finish(Date.now());
    const m = readMonitoring(events);
    expect(m?.available).toBe(false);
    expect(m && !m.available && m.reason).toMatch(
      /^could not read the rules and intervals from the command line's Prometheus/,
    );
  });
});

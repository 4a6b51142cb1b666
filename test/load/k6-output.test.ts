import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeExit, k6Ending, parseK6Log } from '../../lib/load/k6/exit.ts';
import { K6OutputParser, errorKindOfCode, parseK6Time } from '../../lib/load/k6/output.ts';
import { thresholdResults } from '../../lib/load/k6/summary.ts';
import { FileTail } from '../../lib/load/k6/tail.ts';
import { K6OutputMerger } from '../../lib/load/k6/merge.ts';
import { MetricsRecorder } from '../../lib/metrics/recorder.ts';
import type { MetricsSink, RequestOutcome } from '../../lib/metrics/types.ts';
import { k6DoubleDir } from './k6-scenarios.ts';

const sample = readFileSync(join(k6DoubleDir, 'points-sample.ndjson'), 'utf8');
/** The fixture's run starts at 10:00:00 UTC. */
const t0 = Date.parse('2026-08-01T10:00:00Z');

function recordingSink() {
  const calls: (['intended', number] | ['dropped', number] | ['record', RequestOutcome])[] = [];
  const sink: MetricsSink = {
    intended: (t) => calls.push(['intended', t]),
    dropped: (t) => calls.push(['dropped', t]),
    record: (o) => calls.push(['record', o]),
  };
  return {
    sink,
    calls,
    records: () => calls.filter((c) => c[0] === 'record').map((c) => c[1] as RequestOutcome),
  };
}

function parse(chunks: string[], stopAt = Infinity) {
  const rec = recordingSink();
  const parser = new K6OutputParser(rec.sink, { toRunMs: (ms) => ms - t0, stopAtMs: () => stopAt });
  for (const c of chunks) parser.push(c);
  parser.end();
  return { ...rec, parser };
}

describe('k6 JSON output → request outcomes', () => {
  it('parses k6 timestamps with nanoseconds and offsets', () => {
    expect(parseK6Time('2026-08-01T12:00:01.2505+02:00') - t0).toBeCloseTo(1250.5, 6);
    expect(parseK6Time('2026-08-01T10:00:01.6Z') - t0).toBe(1600);
    // Epoch milliseconds in a double keep about 0.25 µs: nanoseconds beyond that are lost.
    expect(parseK6Time('2026-08-01T10:00:02.000123456Z') - t0).toBeCloseTo(2000.123456, 3);
    expect(parseK6Time('2026-08-01T10:00:02.000000001Z') - t0).toBeCloseTo(2000, 3);
    expect(parseK6Time('2026-08-01T05:30:00-04:30') - t0).toBe(0);
    expect(parseK6Time('yesterday')).toBeNaN();
  });

  it('maps the fixture to the outcomes the native engine would report', () => {
    const { records, calls, parser } = parse([sample]);
    expect(records()).toEqual([
      // ok: end 1250.5, duration 42.25 → sent 1208.25, blocked 0.25 → intended 1208
      { intendedAt: 1208, sentAt: 1208.25, doneAt: 1250.5, status: 200, ok: true, request: 'checkout' },
      {
        intendedAt: 1588,
        sentAt: 1588,
        doneAt: 1600,
        status: 503,
        ok: false,
        error: 'status-5xx',
        request: 'checkout',
      },
      { intendedAt: 1998.5, sentAt: 2000, doneAt: 2000, ok: false, error: 'refused', request: 'checkout' },
      { intendedAt: 2500, sentAt: 2500, doneAt: 12_500, ok: false, error: 'timeout', request: 'checkout' },
      { intendedAt: 3097, sentAt: 3097, doneAt: 3100, ok: false, error: 'reset', request: 'browse' },
      // No expected_response tag and no http_req_failed: 404 is outside 200–399.
      {
        intendedAt: 3492.5,
        sentAt: 3492.5,
        doneAt: 3500,
        status: 404,
        ok: false,
        error: 'status-4xx',
        request: 'browse',
      },
      { intendedAt: 4730, sentAt: 4730, doneAt: 4750, status: 201, ok: true, request: 'create' },
    ]);
    // Every request is intended before it is recorded; the drop is intended and dropped.
    const kinds = calls.map((c) => c[0]);
    expect(kinds.filter((k) => k === 'intended')).toHaveLength(8);
    expect(calls.filter((c) => c[0] === 'dropped')).toEqual([['dropped', 4000]]);
    expect(kinds.indexOf('dropped')).toBe(kinds.lastIndexOf('intended', kinds.indexOf('dropped')) + 1);
    expect(parser.stats).toEqual({
      // 7 requests × 9 points, less the missing http_req_failed, + checks, vus, drop, iterations
      points: 66,
      // + 13 Metric lines, one stray text line and the cut-off last line
      lines: 81,
      requests: 7,
      dropped: 1,
      // "not json" and the cut-off last line
      malformed: 2,
      afterStop: 0,
    });
    expect(parser.metrics.get('http_req_duration')).toEqual({
      name: 'http_req_duration',
      type: 'trend',
      thresholds: ['p(95)<100', 'p(99)<250'],
      abortOnFail: ['p(99)<250'],
    });
    expect(parser.metrics.get('http_req_failed')?.abortOnFail).toEqual(['rate<0.001']);
    expect(parser.metrics.get('dropped_iterations')?.thresholds).toEqual(['count<=4']);
  });

  it('gives the same result however the stream is cut into chunks', () => {
    const whole = parse([sample]).records();
    for (const size of [1, 7, 64, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < sample.length; i += size) chunks.push(sample.slice(i, i + size));
      expect(parse(chunks).records(), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('does not report requests that ended after the load was stopped', () => {
    const { records, parser } = parse([sample], 3200);
    expect(records().map((r) => r.doneAt)).toEqual([1250.5, 1600, 2000, 3100]);
    expect(parser.stats.afterStop).toBe(3);
  });

  it('feeds a MetricsRecorder into the same series and error shape as the native engine', () => {
    const recorder = new MetricsRecorder({ timeoutMs: 10_000 });
    const parser = new K6OutputParser(recorder, { toRunMs: (ms) => ms - t0 });
    parser.push(sample);
    parser.end();
    recorder.finish();
    const summary = recorder.summary({ engine: 'k6', model: 'open', durationS: 5 });
    expect(summary.requests).toEqual({ intended: 8, sent: 7, ok: 2, failed: 5, dropped: 1 });
    expect(summary.errors).toMatchObject({
      refused: 1,
      reset: 1,
      timeout: 1,
      'status-4xx': 1,
      'status-5xx': 1,
    });
    expect(summary.statusCodes).toEqual({ '200': 1, '201': 1, '404': 1, '503': 1 });
    const series = recorder.series();
    expect(series.map((p) => [p.t, p.intended, p.sent, p.dropped])).toEqual([
      [0, 0, 0, 0],
      // by intended second: 1208, 1588, 1998.5 | 2500 | 3097, 3492.5 | drop at 4000, 4730
      [1, 3, 3, 0],
      [2, 1, 1, 0],
      [3, 2, 2, 0],
      [4, 2, 1, 1],
    ]);
    expect(summary.latencyMs.max).toBeGreaterThanOrEqual(10_000);
  });

  it("maps k6's error codes", () => {
    expect(['1050', '1211', '1212', '1220', '1201', '1000', '1101', undefined].map(errorKindOfCode)).toEqual([
      'timeout',
      'timeout',
      'refused',
      'reset',
      'reset',
      'other',
      'other',
      'other',
    ]);
  });
});

describe('k6 summary export → threshold results', () => {
  it('reads the legacy shape, where true means failed, and the handleSummary {ok} shape', () => {
    const legacy = {
      metrics: {
        http_req_duration: { avg: 21.4, 'p(95)': 55.8, thresholds: { 'p(95)<100': false } },
        'http_req_duration{req:checkout}': { thresholds: { 'p(99)<150': true } },
        http_req_failed: { passes: 2, fails: 998, value: 0.002, thresholds: { 'rate<0.001': true } },
        dropped_iterations: { count: 0, rate: 0 },
      },
    };
    expect(thresholdResults(legacy)).toEqual([
      { metric: 'http_req_duration', expr: 'p(95)<100', ok: true },
      { metric: 'http_req_duration{req:checkout}', expr: 'p(99)<150', ok: false },
      { metric: 'http_req_failed', expr: 'rate<0.001', ok: false },
    ]);
    const handle = {
      metrics: { checks: { type: 'rate', values: { rate: 1 }, thresholds: { 'rate>0.99': { ok: true } } } },
    };
    expect(thresholdResults(handle)).toEqual([{ metric: 'checks', expr: 'rate>0.99', ok: true }]);
    expect(thresholdResults(null)).toEqual([]);
    expect(thresholdResults({ metrics: [] })).toEqual([]);
  });
});

describe('k6 exit codes → outcomes', () => {
  const log = (...msgs: string[]) => msgs.map((msg) => ({ level: 'error', msg }));
  const end = (
    code: number | null,
    stoppedByUs = false,
    lines = log(),
    signal: NodeJS.Signals | null = null,
  ) => k6Ending({ code, signal }, { stoppedByUs, log: lines });

  it('0 completes; 99 is a threshold verdict, or an abort when an abortOnFail threshold stopped k6', () => {
    expect(end(0)).toEqual({ kind: 'completed' });
    expect(end(99, false, log("thresholds on metrics 'http_req_duration' have been crossed"))).toEqual({
      kind: 'thresholds-failed',
    });
    for (const verb of ['were crossed', 'were breached']) {
      expect(
        end(
          99,
          false,
          log(
            `thresholds on metrics 'http_req_failed' ${verb}; at least one has abortOnFail enabled, stopping test prematurely`,
          ),
        ),
      ).toEqual({
        kind: 'aborted',
        reason: "k6 abortOnFail: thresholds on metrics 'http_req_failed' were crossed",
      });
    }
  });

  it('105 is gauntlet interrupting k6, or an abort when someone else did', () => {
    expect(end(105, true)).toEqual({ kind: 'interrupted' });
    expect(end(105, false)).toMatchObject({ kind: 'aborted', reason: expect.stringMatching(/signal/) });
    expect(end(null, true, [], 'SIGKILL')).toEqual({ kind: 'interrupted' });
    expect(end(null, false, [], 'SIGKILL')).toEqual({ kind: 'error', message: 'k6 was killed by SIGKILL' });
  });

  it('108 and 103 abort with the reason; 110 is a failed verdict', () => {
    expect(end(108, false, log('test aborted: database is down'))).toEqual({
      kind: 'aborted',
      reason: 'the k6 script called test.abort(): database is down',
    });
    expect(end(103)).toMatchObject({ kind: 'aborted' });
    // A REST API stop while gauntlet was stopping k6 anyway is still gauntlet's interruption.
    expect(end(103, true)).toEqual({ kind: 'interrupted' });
    expect(end(110)).toEqual({ kind: 'failed', reason: 'the k6 script called execution.test.fail()' });
  });

  it('every other code is a setup error naming the code and what k6 said', () => {
    for (const code of [97, 98, 100, 101, 102, 104, 106, 107, 109, 255, 1]) {
      const e = end(
        code,
        false,
        log('ReferenceError: nope is not defined\n\tat file:///s.js:3:1(2)\n\tat more'),
      );
      expect(e.kind, `exit ${code}`).toBe('error');
      expect((e as { message: string }).message).toContain(`exit ${code}`);
      expect((e as { message: string }).message).toContain('ReferenceError: nope is not defined');
    }
    expect(describeExit({ code: 107, signal: null })).toBe('exit 107: script exception');
    expect(describeExit({ code: 104, signal: null })).toBe('exit 104: invalid configuration');
  });

  it('reads the JSON log, keeping plain text lines', () => {
    const text = [
      '{"level":"info","msg":"starting","time":"2026-08-01T10:00:00Z"}',
      '{"level":"error","msg":"GoError: boom","error":"details","time":"2026-08-01T10:00:00Z"}',
      'panic: runtime error',
      '',
    ].join('\n');
    expect(parseK6Log(text)).toEqual([
      { level: 'info', msg: 'starting' },
      { level: 'error', msg: 'GoError: boom: details' },
      { level: 'text', msg: 'panic: runtime error' },
    ]);
  });
});

describe('following a file while it is written', () => {
  it('reads appended text from where it stopped, waits for the file to appear, keeps split characters whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-tail-'));
    try {
      const file = join(dir, 'points.json');
      let text = '';
      const tail = new FileTail(file, (t) => (text += t), 10);
      tail.start();
      await sleep(40); // polls while the file does not exist yet
      const euro = Buffer.from('€'); // 3 bytes, written across two appends
      appendFileSync(file, Buffer.concat([Buffer.from('line 1\nline '), euro.subarray(0, 1)]));
      await waitUntil(() => text.startsWith('line 1\nline '));
      appendFileSync(file, Buffer.concat([euro.subarray(1), Buffer.from('2\n')]));
      await waitUntil(() => text.endsWith('2\n'));
      appendFileSync(file, 'last, read by finish\n');
      await tail.finish();
      expect(text).toBe('line 1\nline €2\nlast, read by finish\n');
      expect(tail.error).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('several runners’ outputs merged into one run (distributed k6)', () => {
  /** The same traffic as a second runner wrote it: 250 ms later, another VU. */
  const shifted = sample.replace(/"time":"([^"]+)"/g, (_m, t: string) => {
    const ms = parseK6Time(t) + 250;
    return `"time":"${new Date(Math.floor(ms)).toISOString().slice(0, 23)}${String(ms % 1).slice(2, 5)}Z"`;
  });

  it('sums the runners: requests, drops and error kinds, bucketed on one timeline', () => {
    const recorder = new MetricsRecorder({ timeoutMs: 10_000 });
    const merger = new K6OutputMerger(recorder, { toRunMs: (ms) => ms - t0 });
    // Pod logs arrive interleaved in arbitrary pieces; each runner's pieces stay in order.
    const pieces = (s: string) => s.match(/[\s\S]{1,97}/g)!;
    const a = pieces(sample);
    const b = pieces(`level=info msg="k6 runner starting"\n${shifted}`);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length) merger.push('runner-1', a[i]!);
      if (i < b.length) merger.push('runner-2', b[i]!);
    }
    merger.endAll();
    recorder.finish();
    expect(merger.sources()).toEqual(['runner-1', 'runner-2']);
    expect(merger.stats()).toMatchObject({ requests: 14, dropped: 2, points: 132, malformed: 5 });
    const summary = recorder.summary({ engine: 'k6', model: 'open', durationS: 5 });
    expect(summary.requests).toEqual({ intended: 16, sent: 14, ok: 4, failed: 10, dropped: 2 });
    expect(summary.errors).toMatchObject({
      refused: 2,
      reset: 2,
      timeout: 2,
      'status-4xx': 2,
      'status-5xx': 2,
    });
    // runner 1 by intended second: 3 | 1 | 2 | 1; runner 2, 250 ms later: 2 | 2 | 2 | 1
    expect(recorder.series().map((p) => p.sent)).toEqual([0, 5, 3, 4, 2]);
  });
});

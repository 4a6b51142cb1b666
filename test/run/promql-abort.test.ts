/**
 * abortOnFail for server-side SLAs: the streak logic on its own, the phase as told while the run
 * goes on, and the polling loop with a fake Prometheus client on fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Sample } from '../../lib/monitoring/api.ts';
import type { Span } from '../../lib/result/schema.ts';
import {
  inLiveScope,
  PromqlAbortTracker,
  startPromqlAbortWatch,
  type InstantQuery,
} from '../../lib/run/promql-abort.ts';
import type { ResolvedPromqlSla } from '../../lib/scenario/resolved.ts';

const sla = (over: Partial<ResolvedPromqlSla> = {}): ResolvedPromqlSla => ({
  id: 'server-p95',
  expr: 'histogram_quantile(0.95, …)',
  op: '<',
  value: 0.1,
  unit: 's',
  reduce: 'worst',
  scope: 'run',
  abortOnFail: true,
  abortWindowS: 5,
  compareTo: null,
  ...over,
});

const sample = (value: number, labels: Record<string, string> = {}): Sample => ({ labels, t: 0, value });

describe('PromqlAbortTracker', () => {
  it('aborts once every poll over the abort window was broken, naming the series and the limit', () => {
    const s = sla();
    const tr = new PromqlAbortTracker([s]);
    expect(tr.observe(s, 0, [sample(0.05)])).toBeNull();
    expect(tr.observe(s, 2, [sample(0.2, { route: '/api' }), sample(0.05)])).toBeNull();
    expect(tr.observe(s, 4, [sample(0.3)])).toBeNull();
    expect(tr.observe(s, 6, [sample(0.25, { route: '/api', __name__: 'x' })])).toBeNull();
    expect(tr.observe(s, 7, [sample(0.4, { route: '/api' }), sample(0.5, { route: '/b' })])).toBe(
      'abortOnFail: server-side server-p95 broken over 2–7 s ({route="/b"} observed 0.5 s, limit < 0.1 s)',
    );
  });

  it('starts over after a poll that meets the limit, fails, returns nothing or is out of scope', () => {
    const s = sla({ abortWindowS: 3 });
    const tr = new PromqlAbortTracker([s]);
    const broken = [sample(1)];
    for (const gap of [[sample(0.01)], new Error('prometheus: timeout'), [], 'out-of-scope'] as const) {
      expect(tr.observe(s, 0, broken)).toBeNull();
      expect(tr.observe(s, 2, broken)).toBeNull();
      expect(tr.observe(s, 2.5, gap as readonly Sample[] | Error | 'out-of-scope')).toBeNull();
      expect(tr.observe(s, 4, broken)).toBeNull();
      expect(tr.observe(s, 6, broken)).toBeNull();
      expect(tr.observe(s, 7, broken)).toMatch(/broken over 4–7 s/);
      expect(tr.observe(s, 8, [sample(0)])).toBeNull();
    }
    expect(tr.pollErrors()).toEqual({ count: 1, last: 'prometheus: timeout' });
  });

  it('judges a lower bound by its lowest series and ignores NaN samples', () => {
    const s = sla({ id: 'up', op: '>=', value: 2, unit: null, abortWindowS: 1 });
    const tr = new PromqlAbortTracker([s]);
    expect(tr.observe(s, 0, [sample(NaN)])).toBeNull();
    expect(tr.observe(s, 1, [sample(NaN)])).toBeNull();
    expect(tr.observe(s, 2, [sample(1, { zone: 'a' }), sample(0, { zone: 'b' })])).toBeNull();
    expect(tr.observe(s, 3, [sample(1, { zone: 'a' }), sample(0, { zone: 'b' })])).toBe(
      'abortOnFail: server-side up broken over 2–3 s ({zone="b"} observed 0, limit >= 2)',
    );
  });
});

describe('inLiveScope', () => {
  const fault = (start: number, end: number | null): Span => ({
    kind: 'chaos',
    name: 'pod-kill',
    start,
    end,
  });

  it('tells baseline, during-fault and recovery from the faults so far and the planned count', () => {
    const none = { spans: [], planned: 2 };
    const first = { spans: [fault(10, 20), { kind: 'load', name: 'x', start: 0, end: null }], planned: 2 };
    const both = { spans: [fault(10, 20), fault(30, 40)], planned: 2 };
    const open = { spans: [fault(10, 20), fault(30, null)], planned: 2 };
    expect(inLiveScope('run', 5, none)).toBe(true);
    expect(inLiveScope('baseline', 5, none)).toBe(true);
    expect(inLiveScope('during-fault', 5, none)).toBe(false);
    expect(inLiveScope('baseline', 12, first)).toBe(false);
    expect(inLiveScope('during-fault', 12, first)).toBe(true);
    // Between two faults of the schedule: still during-fault, as the finished run's phases say.
    expect(inLiveScope('during-fault', 25, first)).toBe(true);
    expect(inLiveScope('recovery', 25, first)).toBe(false);
    expect(inLiveScope('during-fault', 35, open)).toBe(true);
    expect(inLiveScope('recovery', 45, both)).toBe(true);
    expect(inLiveScope('during-fault', 45, both)).toBe(false);
    // Without chaos there is only a baseline.
    expect(inLiveScope('recovery', 45, { spans: [], planned: 0 })).toBe(false);
  });
});

describe('startPromqlAbortWatch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls the abortOnFail SLAs on the run clock and aborts once, after the window', async () => {
    vi.useFakeTimers();
    const t0 = Date.now();
    const now = () => Date.now() - t0;
    const asked: Array<{ expr: string; atMs: number }> = [];
    // The server's p95 breaks 3 s into the run; "errors" is never asked (no abortOnFail).
    const prometheus: InstantQuery = {
      query: (expr: string) => {
        asked.push({ expr, atMs: now() });
        return Promise.resolve([sample(now() >= 3000 ? 0.4 : 0.05, { service: 'web' })]);
      },
    };
    const onAbort = vi.fn();
    const watch = startPromqlAbortWatch({
      prometheus,
      slas: [sla({ abortWindowS: 4 }), sla({ id: 'errors', expr: 'errors', abortOnFail: false })],
      now,
      onAbort,
      intervalMs: 1000,
    });
    await vi.advanceTimersByTimeAsync(6500);
    expect(onAbort).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(onAbort.mock.calls[0]?.[0]).toBe(
      'abortOnFail: server-side server-p95 broken over 3–7 s ({service="web"} observed 0.4 s, limit < 0.1 s)',
    );
    // Polling stopped with the abort.
    const polls = asked.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(asked.length).toBe(polls);
    expect(new Set(asked.map((a) => a.expr))).toEqual(new Set(['histogram_quantile(0.95, …)']));
    expect(asked.map((a) => a.atMs)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    await watch.stop();
  });

  it('only counts polls inside the SLA scope, and stops without aborting', async () => {
    vi.useFakeTimers();
    const t0 = Date.now();
    const now = () => Date.now() - t0;
    const prometheus: InstantQuery = { query: () => Promise.resolve([sample(9)]) };
    const onAbort = vi.fn();
    const scopes: string[] = [];
    const watch = startPromqlAbortWatch({
      prometheus,
      slas: [sla({ scope: 'during-fault', abortWindowS: 2 })],
      now,
      // A fault from 2 s to 3 s, then one from 6 s on: never 2 s of faults in a row before 4 s.
      inScope: (scope, tS) => {
        scopes.push(scope);
        return (tS >= 2 && tS < 3) || tS >= 6;
      },
      onAbort,
      intervalMs: 1000,
    });
    await vi.advanceTimersByTimeAsync(5500);
    expect(onAbort).not.toHaveBeenCalled();
    expect(new Set(scopes)).toEqual(new Set(['during-fault']));
    await vi.advanceTimersByTimeAsync(3000);
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(onAbort.mock.calls[0]?.[0]).toMatch(/broken over 6–8 s/);
    await watch.stop();
    const quiet = startPromqlAbortWatch({ prometheus, slas: [sla()], now, onAbort, intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(2000);
    await quiet.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onAbort).toHaveBeenCalledTimes(1);
  });
});

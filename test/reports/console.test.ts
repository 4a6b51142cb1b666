import { describe, expect, it } from 'vitest';
import { consoleReporter, renderConsoleSummary } from '../../reports/index.ts';
import type { ProgressSnapshot, RunInfo } from '../../reports/index.ts';
import { failingRun, invalidRun } from './fixtures.ts';

function fakeStream(columns?: number): { write(s: string): boolean; columns?: number; output: () => string } {
  const chunks: string[] = [];
  return { write: (s) => chunks.push(s) > 0, columns, output: () => chunks.join('') };
}

const info: RunInfo = {
  scenario: 'checkout-sla',
  target: 'http://127.0.0.1:18080',
  engine: 'native',
  plannedDurationS: 60,
  outDir: 'gauntlet-results/run-1',
};

function snapshot(elapsedS: number, extra: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    elapsedS,
    plannedDurationS: 60,
    intendedRps: 100,
    achievedRps: 99.5,
    p95Ms: 182.4,
    failed: 3,
    dropped: 0,
    sent: Math.round(elapsedS * 100),
    activeFaults: [],
    ...extra,
  };
}

// eslint-disable-next-line no-control-regex -- stripping ANSI colour codes
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('renderConsoleSummary', () => {
  it('prints a headline, a load line and an aligned verdict table', () => {
    const out = renderConsoleSummary(failingRun());
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^FAIL checkout-sla → http:\/\/127\.0\.0\.1:18080 · 1m 00s · 4 verdicts: 2 passed, 1 failed, 1 inconclusive$/,
    );
    expect(lines[1]).toMatch(/^load: 98\.1\/100 req\/s · 5888 sent, 5783 ok, 105 failed, 112 dropped/);
    const table = lines.slice(lines.indexOf('') + 1);
    expect(table.map((l) => l.split(/\s{2,}/)[0])).toEqual([
      'RESULT',
      'PASS',
      'FAIL',
      'INCONCLUSIVE',
      'PASS',
    ]);
    // Aligned: every row's CLAIM column starts at the same offset as the header's.
    const claimAt = table[0]!.indexOf('CLAIM');
    expect(table[2]!.slice(claimAt)).toMatch(/^error rate < 1% during pod-kill/);
    expect(table[3]!.slice(claimAt)).toMatch(/^achieved rate >= 99%/);
    expect(out).not.toContain('\x1b[');
  });

  it('colours only when asked, without moving the columns', () => {
    const coloured = renderConsoleSummary(failingRun(), { color: true });
    expect(coloured).toContain('\x1b[31mFAIL');
    expect(stripAnsi(coloured)).toBe(renderConsoleSummary(failingRun()));
  });

  it('says when the run is invalid or aborted', () => {
    const out = renderConsoleSummary(invalidRun());
    expect(out).toMatch(/^INVALID checkout-sla/);
    expect(out).toContain('verdicts say nothing of the target');
    expect(out).toContain('run aborted: generator saturated');
  });
});

describe('consoleReporter', () => {
  it('without a TTY prints a plain line every interval of run time', () => {
    const stream = fakeStream();
    const r = consoleReporter({ stream, isTTY: false, intervalS: 5 });
    r.onBegin?.(info);
    for (let s = 1; s <= 12; s++)
      r.onProgress?.(snapshot(s + 0.01, s > 6 ? { activeFaults: ['pod-kill'] } : {}));
    const lines = stream.output().trimEnd().split('\n');
    expect(lines[0]).toBe(
      'gauntlet: checkout-sla → http://127.0.0.1:18080 · 1m 00s planned · engine native · results in gauntlet-results/run-1',
    );
    expect(lines.slice(1)).toEqual([
      '5s/1m 00s · 99.5/100 req/s · p95 182 ms · failed 3 · dropped 0 · faults: none',
      '10s/1m 00s · 99.5/100 req/s · p95 182 ms · failed 3 · dropped 0 · faults: pod-kill',
    ]);
    expect(stream.output()).not.toContain('\r');
  });

  it('on a TTY redraws one line in place, at most about 4 times a second', () => {
    const stream = fakeStream(200);
    let clock = 0;
    const r = consoleReporter({ stream, isTTY: true, color: false, now: () => clock });
    for (let i = 0; i < 8; i++) {
      r.onProgress?.(snapshot(i * 0.1, { p95Ms: null }));
      clock += 100; // 10 snapshots a second: only every third fits the 250 ms budget
    }
    const draws = stream.output().split('\r\x1b[2K').filter(Boolean);
    expect(draws).toHaveLength(3);
    expect(draws[0]).toBe('0s/1m 00s · 99.5/100 req/s · p95 — · failed 3 · dropped 0 · faults: none');
    expect(stream.output()).not.toContain('\n');
  });

  it('truncates the live line to the terminal width so the redraw stays on one row', () => {
    const stream = fakeStream(40);
    const r = consoleReporter({ stream, isTTY: true, now: () => 0 });
    r.onProgress?.(snapshot(3, { activeFaults: ['pod-kill', 'zone-outage eu-west-1a', 'node-drain'] }));
    const drawn = stream.output().replace('\r\x1b[2K', '');
    expect(drawn.length).toBe(39);
    expect(drawn.endsWith('…')).toBe(true);
  });

  it('clears the live line, then prints the verdict table and the written files', async () => {
    const stream = fakeStream(200);
    const r = consoleReporter({ stream, isTTY: true, color: false, now: () => 0 });
    r.onProgress?.(snapshot(1));
    await r.onEnd?.(failingRun(), { outDir: 'out', writtenFiles: ['out/result.json', 'out/junit.xml'] });
    const out = stream.output();
    const end = out.slice(out.lastIndexOf('\r\x1b[2K') + '\r\x1b[2K'.length);
    expect(end.startsWith(renderConsoleSummary(failingRun()))).toBe(true);
    expect(end).toContain('written:\n  out/result.json\n  out/junit.xml\n');
  });

  it('rejects a nonsensical interval', () => {
    expect(() => consoleReporter({ stream: fakeStream(), intervalS: 0 })).toThrow(
      /intervalS must be a positive number/,
    );
  });
});

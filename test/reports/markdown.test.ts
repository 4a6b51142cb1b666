import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownReporter, renderMarkdown } from '../../reports/index.ts';
import { AWKWARD_TEXT, failingRun, invalidRun, passingRun } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-reports-md-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Cells of a table row, splitting only on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function tableAfter(md: string, heading: string): string[] {
  const start = md.indexOf(`### ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const lines = md.slice(start).split('\n').slice(2);
  const end = lines.findIndex((l) => !l.startsWith('|'));
  return lines.slice(0, end === -1 ? undefined : end);
}

describe('renderMarkdown', () => {
  it('starts with a one-line headline carrying outcome, scenario, target and duration', () => {
    const first = (md: string): string => md.split('\n')[0]!;
    expect(first(renderMarkdown(failingRun()))).toBe(
      '## ❌ FAIL: checkout-sla against http://127.0.0.1:18080 (1m 00s)',
    );
    expect(first(renderMarkdown(passingRun()))).toMatch(/^## ✅ PASS: checkout-sla/);
    const invalid = renderMarkdown(invalidRun());
    expect(first(invalid)).toMatch(/^## ⚠️ INVALID run: checkout-sla/);
    expect(invalid).toContain('Run aborted: generator saturated');
  });

  it('has a verdict row per verdict with its result', () => {
    const rows = tableAfter(renderMarkdown(failingRun()), 'Verdicts');
    expect(cells(rows[0]!)).toEqual(['Verdict', 'Claim', 'Observed', 'Result', 'Window']);
    const body = rows.slice(2).map(cells);
    expect(body).toHaveLength(4);
    expect(body[1]).toEqual([
      'errors&lt;1%',
      'error rate &lt; 1% during pod-kill',
      'error rate = 7.6%',
      '❌ fail',
      '20s–35s',
    ]);
    expect(body.map((r) => r[3])).toEqual(['✅ pass', '❌ fail', '⚠️ inconclusive', '✅ pass']);
  });

  it('summarises the load: rates, requests, latency, errors and status codes', () => {
    const rows = Object.fromEntries(
      tableAfter(renderMarkdown(failingRun()), 'Load')
        .slice(2)
        .map((r) => cells(r) as [string, string]),
    );
    expect(rows['Rate (req/s)']).toBe('98.1 achieved of 100 intended');
    expect(rows.Requests).toBe('6000 intended · 5888 sent · 5783 ok · 105 failed · 112 dropped');
    expect(rows['Latency (from intended send)']).toBe(
      'p50 41.5 ms · p90 55.8 ms · p95 113 ms · p99 223 ms · max 1000 ms',
    );
    expect(rows['Errors by kind']).toBe('refused 60, reset 12, timeout 3, status-5xx 30');
    expect(rows['Status codes']).toBe('200 × 5783, 503 × 30');
  });

  it('lists spans (open ones marked) and events, and omits both sections when empty', () => {
    const md = renderMarkdown(failingRun());
    const spans = tableAfter(md, 'Chaos spans').slice(2).map(cells);
    expect(spans[0]).toEqual(['pod-kill', 'kill api pod', '20s', '26.4s', '6.4s']);
    expect(spans[2]).toEqual(['node-drain', 'drain worker-2', '50s', 'not ended', '—']);
    expect(tableAfter(md, 'Events').slice(2)).toHaveLength(4);

    const quiet = renderMarkdown({ ...failingRun(), spans: [], events: [] });
    expect(quiet).not.toContain('### Chaos spans');
    expect(quiet).not.toContain('### Events');
    expect(quiet).toContain('### Load');
  });

  it('escapes pipes and keeps every cell on one line', () => {
    const run = failingRun();
    run.verdicts[0]!.claim = AWKWARD_TEXT;
    run.events[0]!.message = 'upstream said |503| <html>\nretry';
    const md = renderMarkdown(run);
    const verdictRows = tableAfter(md, 'Verdicts');
    expect(verdictRows).toHaveLength(6); // no row was split by the newline
    const claim = cells(verdictRows[2]!)[1]!;
    expect(claim).toContain('\\|e\\|');
    expect(claim).toContain('a&lt;b &amp;');
    expect(claim).toContain('bell\\x07 nul\\x00 tab nl end');
    expect(cells(verdictRows[2]!)).toHaveLength(5);
    const event = cells(tableAfter(md, 'Events')[2]!);
    expect(event).toHaveLength(4);
    expect(event[3]).toBe('upstream said \\|503\\| &lt;html&gt; retry');
  });
});

describe('markdownReporter', () => {
  it('writes summary.md into the output directory', async () => {
    const paths = await markdownReporter().onEnd?.(failingRun(), { outDir: dir });
    expect(paths).toEqual([join(dir, 'summary.md')]);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toBe(renderMarkdown(failingRun()));
  });
});

/** `gauntlet compare`: exit codes and files through the real CLI. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/result/schema.ts';
import { renderJson } from '../../reports/json.ts';
import { chaosRun } from '../reports/chaos-fixture.ts';
import { withoutHistograms } from '../reports/fixtures.ts';
import { gauntletInProcess } from '../helpers/cli-in-process.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

function save(dir: string, name: string, r: RunResult): string {
  const file = join(dir, name);
  writeFileSync(file, renderJson(r));
  return file;
}

// Edited by hand, so without per-second histograms: judged on the threshold alone.
const slower = (r: RunResult, factor: number, startedAt: string): RunResult =>
  withoutHistograms({
    ...r,
    startedAt,
    load: { ...r.load, latencyMs: { ...r.load.latencyMs, p95: (r.load.latencyMs.p95 ?? 0) * factor } },
  });

// The first case spawns the CLI (on a busy two-core machine one spawn alone can take 15 s); the
// others call its entry point in this process.
describe('gauntlet compare', { timeout: 180_000 }, () => {
  it('passes an unchanged re-run and fails a p95 regression beyond the threshold', async () => {
    const dir = tempDir('gauntlet-compare-cli-');
    const base = save(dir, 'base.json', chaosRun());
    const same = await runGauntlet(['compare', base, '--baseline', base, '--out', join(dir, 'same')]);
    expect(same.exitCode).toBe(0);
    expect(same.stdout.split('\n')[0]).toBe('## ✅ NO REGRESSION: zone-chaos against its baseline');

    const worse = save(dir, 'worse.json', slower(chaosRun(), 1.25, '2026-11-30T02:00:00.000Z'));
    const r = await runGauntlet(['compare', worse, '--baseline', base]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('- p95 latency up 25 % (61.4 ms → 76.75 ms), over the 10% threshold');
    // The report files land beside the judged result.
    expect(readFileSync(join(dir, 'compare.md'), 'utf8')).toBe(r.stdout);
    expect(readFileSync(join(dir, 'compare.html'), 'utf8')).toContain(
      '<p class="outcome fail">REGRESSION</p>',
    );

    const lenient = await runGauntlet([
      'compare',
      worse,
      '--baseline',
      base,
      '--threshold',
      'p95=30%',
      '--out',
      join(dir, 'l'),
    ]);
    expect(lenient.exitCode).toBe(0);
  });

  it('keeps a history: no baseline at first, then the latest earlier run, and a trend', async () => {
    const dir = tempDir('gauntlet-compare-hist-');
    const hist = join(dir, 'history');
    const night1 = save(dir, 'n1.json', chaosRun());
    const first = await gauntletInProcess(['compare', night1, '--baseline', hist, '--history', hist]);
    expect(first.stdout).toMatch(/^No baseline yet: .*history holds no earlier valid run of zone-chaos/);
    expect(first.exitCode).toBe(0);

    const night2 = save(dir, 'n2.json', slower(chaosRun(), 1.02, '2026-11-30T02:00:00.000Z'));
    const second = await gauntletInProcess([
      'compare',
      night2,
      '--baseline',
      hist,
      '--history',
      hist,
      '--out',
      join(dir, 'c2'),
    ]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(
      `Baseline: 2026-11-29 02:00 UTC (failed) · \`${join(hist, 'runs/20261129T020000Z-zone-chaos.json')}\``,
    );
    const index = JSON.parse(readFileSync(join(hist, 'index.json'), 'utf8')) as {
      runs: { startedAt: string }[];
    };
    expect(index.runs.map((r) => r.startedAt)).toEqual([
      '2026-11-29T02:00:00.000Z',
      '2026-11-30T02:00:00.000Z',
    ]);
    expect(existsSync(join(hist, 'trend.png'))).toBe(true);
    expect(readFileSync(join(hist, 'trend.html'), 'utf8')).toContain('<canvas id="chart-trend"');
    expect(readFileSync(join(dir, 'c2', 'compare.html'), 'utf8')).toContain('<canvas id="chart-trend"');
  });

  it('tolerates a change within the history’s run-to-run spread, and not beyond it', async () => {
    const dir = tempDir('gauntlet-compare-spread-');
    const hist = join(dir, 'history');
    // Five nights whose p95 moved by about 20 % from night to night with nothing changed.
    const nights = [1, 1.2, 1, 1.2, 0.96];
    for (const [i, f] of nights.entries()) {
      const night = save(dir, `n${i}.json`, slower(chaosRun(), f, `2026-11-2${i}T02:00:00.000Z`));
      // Early nights have too little history for a spread: a +20 % night may still be flagged.
      await gauntletInProcess(['compare', night, '--baseline', hist, '--history', hist]);
    }
    // 30 % over the last night: over the 10 % threshold, inside the history's spread.
    const tonight = save(dir, 'tonight.json', slower(chaosRun(), 0.96 * 1.3, '2026-11-28T02:00:00.000Z'));
    const ok = await gauntletInProcess(['compare', tonight, '--baseline', hist, '--out', join(dir, 'ok')]);
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(
      /within the run-to-run spread of its history \(up to ±[\d.]+ % between consecutive runs, from the latest 5\)/,
    );
    // Three times that last night is beyond any spread the history shows.
    const awful = save(dir, 'awful.json', slower(chaosRun(), 0.96 * 3, '2026-11-28T03:00:00.000Z'));
    const bad = await gauntletInProcess(['compare', awful, '--baseline', hist, '--out', join(dir, 'bad')]);
    expect(bad.exitCode, bad.stdout).toBe(1);
  });

  it.each<[string, (dir: string) => string[], RegExp]>([
    [
      'a missing baseline file',
      (d) => ['compare', save(d, 'cur.json', chaosRun()), '--baseline', join(d, 'gone.json')],
      /gone\.json: not a usable result\.json: no such file/,
    ],
    [
      'an invalid baseline run',
      (d) => [
        'compare',
        save(d, 'cur.json', chaosRun()),
        '--baseline',
        save(d, 'b.json', { ...chaosRun(), valid: false }),
      ],
      /--baseline .*b\.json: that run is invalid \(the load generator fell short\)/,
    ],
    [
      'a malformed threshold',
      (d) => [
        'compare',
        save(d, 'cur.json', chaosRun()),
        '--baseline',
        join(d, 'cur.json'),
        '--threshold',
        'p95=ten',
      ],
      /--threshold: 'p95=ten' needs a number with a unit/,
    ],
    [
      'no --baseline',
      (d) => ['compare', save(d, 'cur.json', chaosRun())],
      /required option '--baseline <path>' not specified/,
    ],
  ])('exits 2 on %s', async (_label, args, message) => {
    const dir = tempDir('gauntlet-compare-bad-');
    const r = await gauntletInProcess(args(dir));
    expect(r.stderr).toMatch(message);
    expect(r.exitCode).toBe(2);
  });
});

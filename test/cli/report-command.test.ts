/** `gauntlet report`: every report rendered again from a saved result.json, through the real CLI. */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultSchema } from '../../lib/result/schema.ts';
import { renderJson } from '../../reports/json.ts';
import { renderHtml } from '../../reports/html/report.ts';
import { chaosRun } from '../reports/chaos-fixture.ts';
import { gauntletInProcess } from '../helpers/cli-in-process.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

function savedResult(): { dir: string; file: string } {
  const dir = tempDir('gauntlet-report-cli-');
  const file = join(dir, 'result.json');
  writeFileSync(file, renderJson(chaosRun()));
  return { dir, file };
}

// The first case spawns the CLI (on a busy two-core machine one spawn alone can take 15 s); the
// others call its entry point in this process.
describe('gauntlet report', { timeout: 180_000 }, () => {
  it('writes HTML, PNG charts, Markdown and JUnit beside the result, and lists them', async () => {
    const { dir, file } = savedResult();
    const r = await runGauntlet(['report', file]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'charts',
      'junit.xml',
      'report.html',
      'result.json',
      'summary.md',
    ]);
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual([
      'failures.png',
      'latency.png',
      'replicas.png',
      'throughput.png',
      'zones.png',
    ]);
    expect(r.stdout.trim().split('\n')).toContain(join(dir, 'report.html'));
    // Rendered from the file as read back (schema key order), not from the object that wrote it.
    const saved = resultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(renderHtml(saved));
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toContain('Full report with charts: [report.html](report.html)');
    expect(md).toContain('![Ready nodes per zone (stacked)](charts/zones.png)');
  });

  it('writes only the asked formats into --out', async () => {
    const { file } = savedResult();
    const out = join(tempDir('gauntlet-report-out-'), 'reports');
    const r = await gauntletInProcess(['report', file, '--out', out, '--format', 'json,md']);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['result.json', 'summary.md']);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(readFileSync(file, 'utf8'));
    // No png reporter: the summary links no images that are not there.
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).not.toContain('charts/');
  });

  it.each<[string, (dir: string) => string[], RegExp]>([
    [
      'a missing file',
      (d) => ['report', join(d, 'nope.json')],
      /nope\.json: not a usable result\.json: no such file/,
    ],
    [
      'a file that is not JSON',
      (d) => {
        writeFileSync(join(d, 'bad.json'), '{ "schemaVersion": 1,');
        return ['report', join(d, 'bad.json')];
      },
      /bad\.json: not a usable result\.json: not valid JSON/,
    ],
    [
      'a result that does not match the schema',
      (d) => {
        writeFileSync(join(d, 'odd.json'), JSON.stringify({ ...chaosRun(), durationS: 'long' }));
        return ['report', join(d, 'odd.json')];
      },
      /odd\.json: not a usable result\.json: durationS: Invalid input: expected number, received string/,
    ],
    [
      'an unknown format',
      (d) => {
        writeFileSync(join(d, 'result.json'), renderJson(chaosRun()));
        return ['report', join(d, 'result.json'), '--format', 'html,pdf'];
      },
      /--format: unknown format 'pdf'; valid formats: html, md, markdown, junit, json, png/,
    ],
    [
      'json over its own input',
      (d) => {
        writeFileSync(join(d, 'result.json'), renderJson(chaosRun()));
        return ['report', join(d, 'result.json'), '--format', 'json'];
      },
      /--format json would overwrite the input .*result\.json; pass --out <another dir>/,
    ],
  ])('exits 2 on %s, saying what is wrong', async (_label, args, message) => {
    const dir = tempDir('gauntlet-report-bad-');
    const r = await gauntletInProcess(args(dir));
    expect(r.stderr).toMatch(message);
    expect(r.exitCode).toBe(2);
  });
});

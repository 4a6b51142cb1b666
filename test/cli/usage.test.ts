import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationOrZero } from '../../lib/cli/flags.ts';
import { parseDuration } from '../../lib/scenario/duration.ts';
import { gauntletInProcess } from '../helpers/cli-in-process.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';

/** Usage errors are decided before anything runs: in this process (see cli-in-process.ts). */
async function mainInProcess(args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const { exitCode, stderr } = await gauntletInProcess(args);
  return { exitCode, stderr };
}

// Port 9 on loopback (discard): nothing listens there, and none of these runs gets as far as sending.
const url = 'http://127.0.0.1:9';

describe('gauntlet CLI usage errors exit 2 and name the flag or field', () => {
  it.each<[string, string[], RegExp]>([
    [
      'a malformed --rate',
      ['run', '--url', url, '--rate', 'abc'],
      /--rate: 'abc' is not a positive number; use e\.g\. --rate 100/,
    ],
    ['a zero --rate', ['run', '--url', url, '--rate', '0'], /--rate: '0' is not a positive number/],
    [
      'a malformed --duration',
      ['run', '--url', url, '--duration', '10 secs'],
      /--duration: '10 secs' is not a duration/,
    ],
    ['a malformed --url', ['run', '--url', 'not a url'], /--url: 'not a url' is not a URL/],
    ['a malformed --sla', ['run', '--url', url, '--sla', 'p95 fast'], /--sla: cannot read SLA 'p95 fast'/],
    ['an unknown flag', ['run', '--url', url, '--rat', '5'], /unknown option '--rat'/],
    ['no scenario and no --url', ['run'], /give a scenario file, or --url/],
    [
      'an unknown engine',
      ['run', '--url', url, '--engine', 'jmeter'],
      /--engine: unknown engine 'jmeter'; available: native/,
    ],
    [
      'an unknown reporter',
      ['run', '--url', url, '--reporter', 'json,pdf'],
      /unknown reporter 'pdf'; valid reporters: json, junit, markdown, console/,
    ],
    [
      '--rate with --connections',
      ['run', '--url', url, '--rate', '5', '--connections', '2'],
      /--rate and --connections exclude each other/,
    ],
    ['a missing scenario file', ['run', 'scenarios/nope.ts'], /scenarios\/nope\.ts: no such scenario file/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    [
      'a malformed capacity --warmup',
      ['capacity', 'scenarios/nope.ts', '--warmup', 'soon'],
      /--warmup: 'soon' is not a duration; use a duration like '30s'.*, or 0 for none/,
    ],
    ['a negative capacity --warmup', ['capacity', 'scenarios/nope.ts', '--warmup', '-1s'], /--warmup: '-1s'/],
  ])('%s', async (_label, args, message) => {
    const r = await mainInProcess(args);
    expect(r.stderr).toMatch(message);
    expect(r.exitCode).toBe(2);
  });

  it('the binary exits 2 on a usage error', async () => {
    const r = await runGauntlet(['run', '--url', url, '--rate', 'abc'], { autoOut: false });
    expect(r.stderr).toMatch(/--rate: 'abc' is not a positive number/);
    expect(r.exitCode).toBe(2);
  });

  it('rejects an invalid scenario file naming the file and the field', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.ts');
    writeFileSync(
      file,
      `export default { name: 'bad', target: '${url}', requests: [{ path: '/' }], load: { kind: 'constant-arrival-rate', rate: 5, duration: '1s' }, slas: ['p95<1ms'], chaoss: [] };\n`,
    );
    const r = await runGauntlet(['run', file], { autoOut: false });
    expect(r.stderr).toMatch(/bad\.ts: invalid scenario: unknown field 'chaoss' \(check the spelling\)/);
    expect(r.exitCode).toBe(2);
  });

  it("accepts a bare 0 where a duration flag's help says 0 is allowed (capacity --warmup)", async () => {
    const r = await mainInProcess(['capacity', 'scenarios/nope.ts', '--warmup', '0']);
    // Past the flags: the next check, the scenario file, is what fails.
    expect(r.stderr).toMatch(/scenarios\/nope\.ts: no such scenario file/);
    expect(r.stderr).not.toMatch(/--warmup/);
    expect(r.exitCode).toBe(2);
    expect(parseDuration(durationOrZero('--warmup')('0'))).toBe(0);
    expect(parseDuration(durationOrZero('--warmup')('0s'))).toBe(0);
    expect(parseDuration(durationOrZero('--warmup')('1m30s'))).toBe(90_000);
  });

  it('prints help with examples and exit codes', async () => {
    const r = await runGauntlet(['run', '--help'], { autoOut: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/Exit codes: 0 every verdict passed/);
  });
});

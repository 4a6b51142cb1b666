/**
 * Every shipped scenario, one after the other, on the healthy local stack, each through the real
 * CLI exactly as a user runs it (`gauntlet run scenarios/<name>.ts --target local`): its own local
 * cluster started and stopped by the run. Prints one row per scenario (exit code, verdicts that
 * failed with what they observed, wall time) and exits 1 when any scenario did not pass.
 *
 *   npx tsx bench/scenarios.ts [--scale 1] [--only nightly,smoke] [--out DIR]
 *
 * --scale shortens every duration in the scenarios (and the chaos offsets with them); the claims
 * are only shown at scale 1, the shorter runs are for checking the mechanics.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunResult } from '../lib/result/schema.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be a number in (0, 1], e.g. --scale 0.25');
const shipped = readdirSync(path.join(root, 'scenarios'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
const only = values.only?.split(',').map((s) => s.trim());
for (const name of only ?? []) {
  if (!shipped.includes(name))
    throw new Error(`--only: no scenario "${name}"; shipped: ${shipped.join(', ')}`);
}
const names = only ?? shipped;
const outRoot = values.out ?? mkdtempSync(path.join(tmpdir(), 'gauntlet-scenarios-'));

interface Row {
  name: string;
  exitCode: number | null;
  wallS: number;
  verdicts: string;
  failed: string[];
}

function runOne(name: string): Promise<Row> {
  const outDir = path.join(outRoot, name);
  const args = [
    path.join(root, 'bin', 'gauntlet.js'),
    'run',
    path.join('scenarios', `${name}.ts`),
    '--target',
    'local',
    '--scale',
    String(scale),
    '--out',
    outDir,
    '--reporter',
    'json,junit,markdown',
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Progress for a long list: the cluster and chaos lines, not the per-second ones.
      for (const line of d.toString().split('\n'))
        if (/chaos|local cluster|error/i.test(line)) console.error(`  ${name}: ${line}`);
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      const wallS = (Date.now() - started) / 1000;
      const file = path.join(outDir, 'result.json');
      if (!existsSync(file)) {
        resolve({
          name,
          exitCode,
          wallS,
          verdicts: '-',
          failed: [`no result.json: ${stderr.trim().split('\n').slice(-3).join(' / ')}`],
        });
        return;
      }
      const result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      const failed = result.verdicts.filter((v) => !v.pass).map((v) => `${v.name}: ${v.observed}`);
      resolve({
        name,
        exitCode,
        wallS,
        verdicts: `${result.verdicts.length - failed.length}/${result.verdicts.length}`,
        failed,
      });
    });
  });
}

console.log(`shipped scenarios on the local stack at scale ${scale}; results in ${outRoot}`);
const rows: Row[] = [];
for (const name of names) {
  const la = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.error(`${name}: starting (load average ${la})`);
  const row = await runOne(name);
  rows.push(row);
  console.log(
    `${row.exitCode === 0 ? 'PASS' : 'FAIL'}  ${name.padEnd(18)} exit ${String(row.exitCode).padEnd(4)} verdicts ${row.verdicts.padEnd(6)} ${row.wallS.toFixed(0).padStart(4)} s  load ${la}`,
  );
  for (const f of row.failed) console.log(`      ${f}`);
}
const bad = rows.filter((r) => r.exitCode !== 0);
console.log(
  bad.length
    ? `${bad.length} of ${rows.length} scenarios failed: ${bad.map((r) => r.name).join(', ')}`
    : `all ${rows.length} scenarios passed`,
);
process.exitCode = bad.length ? 1 : 0;

/**
 * bench:engine's last part: one scenario, three engines, on the stand-in app (infra-fixtures/app).
 * Loopback only; every run is bounded by the duration.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandInApp } from '../../lib/cli/stand-in-app.ts';
import { mixCycle } from '../../lib/load/autocannon/engine.ts';
import { createEngine } from '../../lib/load/index.ts';
import { type RunResult, resultSchema } from '../../lib/result/schema.ts';
import { runScenario } from '../../lib/run/runner.ts';
import { resolveScenario } from '../../lib/scenario/resolve.ts';
import { createReporters } from '../../reports/registry.ts';
import { trafficMix } from '../../scenarios/shared/novel-engine.ts';
import { fmt } from './format.ts';
import { runMeasured } from './processes.ts';
import { parseWrk, wrkBin } from './wrk.ts';

/** wrk's first second is its connection set-up, not steady load. */
const skipS = 1;

/** The stand-in app's traffic mix in a closed loop: what every engine of this section runs. */
const standInScenario = (url: string, connections: number, durationS: number) =>
  resolveScenario({
    name: 'engines-side-by-side',
    target: url,
    requests: trafficMix,
    load: { kind: 'closed', connections, duration: `${durationS}s` },
    slas: ['errors<1%', 'p99<2000ms'],
  });

async function standInRun(
  url: string,
  engine: 'native' | 'autocannon',
  outRoot: string,
  o: StandInOptions,
): Promise<RunResult> {
  const outDir = join(outRoot, engine);
  mkdirSync(outDir, { recursive: true });
  await runScenario({
    scenario: standInScenario(url, o.connections, o.durationS),
    file: null,
    engine: createEngine(engine),
    reporters: createReporters(['json']),
    outDir,
  });
  return resultSchema.parse(JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')));
}

/** A wrk Lua script sending one period of the scenario's weighted mix, round and round. */
function wrkMixScript(dir: string): string {
  const { requests } = standInScenario('http://127.0.0.1:1', 1, 1);
  const lua = (text: string) => `[==[${text}]==]`;
  const formatted = mixCycle(requests.map((r) => r.weight)).map((i) => {
    const r = requests[i]!;
    const headers = Object.entries(r.headers).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`);
    const body = r.body === undefined ? 'nil' : lua(r.body);
    return `  wrk.format(${lua(r.method)}, ${lua(r.path)}, { ${headers.join(', ')} }, ${body}),`;
  });
  const file = join(dir, 'mix.lua');
  writeFileSync(
    file,
    `local reqs = {\n${formatted.join('\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n`,
  );
  return file;
}

export interface StandInOptions {
  readonly durationS: number;
  readonly connections: number;
  /** Where each engine writes its result.json; a new temporary directory when absent. */
  readonly out: string | undefined;
}

/**
 * The same scenario (the stand-in app's traffic mix, closed model) on the stand-in app with the
 * native and the autocannon engine, each writing a result.json, and wrk with the same mix where
 * installed; prints them side by side and what makes the two result.json files comparable.
 */
export async function standInSideBySide({ durationS, connections, out }: StandInOptions): Promise<void> {
  const outRoot = out ?? mkdtempSync(join(tmpdir(), 'gauntlet-bench-engine-'));
  const app = await startStandInApp({ DRAIN_DELAY_MS: '0', LOG_LEVEL: 'silent' });
  console.log(
    `\nstand-in app ${app.url}: the same scenario (traffic mix, closed, ${connections} connections)`,
  );
  const table: string[][] = [['engine', 'req/s', 'ok %', 'lat p50 ms', 'lat p99 ms', 'statuses', 'result']];
  const results: Partial<Record<'native' | 'autocannon', RunResult>> = {};
  try {
    for (const engine of ['native', 'autocannon'] as const) {
      console.log(`running ${engine} on the stand-in app …`);
      const r = (results[engine] = await standInRun(app.url, engine, outRoot, {
        durationS,
        connections,
        out,
      }));
      const q = r.load.requests;
      table.push([
        engine,
        (q.sent / durationS).toFixed(0),
        q.sent ? ((100 * q.ok) / q.sent).toFixed(2) : 'n/a',
        fmt(r.load.latencyMs.p50),
        fmt(r.load.latencyMs.p99),
        Object.entries(r.load.statusCodes)
          .map(([k, v]) => `${k}:${v}`)
          .join(' '),
        join(outRoot, engine, 'result.json'),
      ]);
    }
    if (wrkBin) {
      console.log('running wrk on the stand-in app …');
      const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '-s', wrkMixScript(outRoot)];
      const { rps, pct } = parseWrk((await runMeasured(wrkBin, [...args, app.url], skipS)).stdout);
      table.push(['wrk', rps.toFixed(0), 'n/a', fmt(pct('50')), fmt(pct('99')), 'n/a', '(no result.json)']);
    } else console.log('  wrk not installed: skipped (apt-get install -y wrk)');
  } finally {
    await app.stop();
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  console.log('');
  for (const row of table) console.log(row.map((c, i) => (i === 6 ? c : c.padStart(widths[i]!))).join('  '));
  const { native: n, autocannon: a } = results;
  if (n && a) {
    const keys = (o: object) => Object.keys(o).sort().join(',');
    const same = [
      ['result fields', keys(n) === keys(a)],
      ['load fields', keys(n.load) === keys(a.load)],
      ['series fields', keys(n.series[0] ?? {}) === keys(a.series[0] ?? {})],
      ['verdicts', n.verdicts.map((v) => v.name).join() === a.verdicts.map((v) => v.name).join()],
      ['statuses', keys(n.load.statusCodes) === keys(a.load.statusCodes)],
    ] as const;
    const ratio = a.load.requests.sent / Math.max(1, n.load.requests.sent);
    console.log(
      `comparable result.json: ${same.map(([what, ok]) => `${what} ${ok ? 'same' : 'DIFFER'}`).join(' · ')}; ` +
        `autocannon / native throughput ${ratio.toFixed(2)}`,
    );
  }
}

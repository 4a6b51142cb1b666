/**
 * The k6 engine: the scenario as a generated k6 script, run by `k6 run` as a child process started
 * at the run's t0. k6's JSON output is followed while it is written and parsed into the run's
 * metrics (the same per-second series and histograms as the native engine), k6's exit code and log
 * become the run's outcome, and k6's own threshold verdict is reported beside gauntlet's.
 *
 * Files (script.js, points.json, summary.json) live in a work directory: a fresh temporary one by
 * default, removed after a clean run and kept (its path in the verdict evidence or the error) when
 * the run was interrupted, aborted or failed, so partial output can be inspected.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GauntletError } from '../../errors.ts';
import type { Verdict } from '../../result/schema.ts';
import type { EngineReport, LoadContext, LoadEngine, LoadPlan } from '../engine.ts';
import { describeExit, k6Ending, parseK6Log, type K6Ending } from './exit.ts';
import { locateK6 } from './locate.ts';
import { K6OutputParser } from './output.ts';
import { startK6 } from './process.ts';
import { TARGET_ENV, generateK6Script, scriptInputOfPlan } from './script.ts';
import { readThresholdResults, type ThresholdResult } from './summary.ts';
import { FileTail } from './tail.ts';
import { thresholdsFor, type MappedThresholds } from './thresholds.ts';

export interface K6EngineOptions {
  /** The k6 executable; default: `k6` found on PATH when the engine is created. */
  readonly binary?: string;
  /** Where the script and k6's output go; default: a new temporary directory per run. */
  readonly workDir?: string;
  /** How often k6's output file is read. @default 100 */
  readonly pollMs?: number;
  /** After SIGINT, how long k6 may take to flush and exit before it is killed. @default 10000 */
  readonly killGraceMs?: number;
  /** Extra environment for k6 (e.g. K6_* options). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface K6Files {
  readonly dir: string;
  readonly script: string;
  readonly points: string;
  readonly summary: string;
}

/** `k6 run` arguments: JSON log on stderr (read for the outcome), outputs to files, no colour. */
export function k6RunArgs(files: K6Files): string[] {
  return [
    'run',
    '--quiet',
    '--no-color',
    '--log-format=json',
    '--out',
    `json=${files.points}`,
    `--summary-export=${files.summary}`,
    files.script,
  ];
}

function thresholdVerdict(
  mapped: MappedThresholds,
  results: readonly ThresholdResult[] | null,
  ending: K6Ending,
  exitText: string,
  durationS: number,
  evidence: Record<string, unknown>,
): Verdict | null {
  if (mapped.sources.size === 0) return null;
  const claim = `k6's thresholds hold (${[...mapped.sources.keys()].join(', ')})`;
  const window = { start: 0, end: durationS };
  if (results === null) {
    // No summary: k6 was stopped before writing it; only the exit code is known.
    if (ending.kind === 'interrupted') return null;
    const failed = ending.kind === 'thresholds-failed' || ending.kind === 'aborted';
    return {
      name: 'k6-thresholds',
      claim,
      observed: `k6 ${exitText}; no summary was written`,
      pass: !failed,
      window,
      evidence,
    };
  }
  const source = (r: ThresholdResult) => mapped.sources.get(`${r.metric} ${r.expr}`);
  const failed = results.filter((r) => !r.ok);
  const label = (r: ThresholdResult) => `${r.metric} ${r.expr}${source(r) ? ` (${source(r)})` : ''}`;
  const observed =
    failed.length > 0
      ? `k6 ${exitText}; failed: ${failed.map(label).join(', ')}`
      : `k6 ${exitText}; all ${results.length} thresholds passed`;
  return {
    name: 'k6-thresholds',
    claim,
    observed,
    pass: failed.length === 0 && ending.kind !== 'thresholds-failed',
    window,
    evidence: { ...evidence, thresholds: results },
  };
}

export async function runK6(
  plan: LoadPlan,
  ctx: LoadContext,
  o: K6EngineOptions = {},
): Promise<EngineReport> {
  const binary = o.binary ?? locateK6();
  const base: EngineReport = {
    engine: 'k6',
    model: plan.profile.kind === 'closed' ? 'closed' : 'open',
    // k6 does not report when an iteration was due; the metrics hold blocked time as lag instead.
    scheduleLagMs: { p50: null, p99: null, max: null },
  };
  if (ctx.signal.aborted) return base;
  const input = scriptInputOfPlan(plan);
  const script = generateK6Script(input);
  const mapped = thresholdsFor(input.slas, input.profile);

  const dir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'gauntlet-k6-')));
  await mkdir(dir, { recursive: true });
  const files: K6Files = {
    dir,
    script: join(dir, 'script.js'),
    points: join(dir, 'points.json'),
    summary: join(dir, 'summary.json'),
  };
  // Output left by an earlier run in the same directory would be read as this run's.
  await Promise.all([rm(files.points, { force: true }), rm(files.summary, { force: true })]);
  await writeFile(files.script, script);

  let stopAt = Infinity;
  const parser = new K6OutputParser(ctx.metrics, {
    toRunMs: (epochMs) => ctx.clock.fromWall(epochMs),
    stopAtMs: () => stopAt,
  });
  const tail = new FileTail(files.points, (text) => parser.push(text), o.pollMs ?? 100);
  const proc = startK6(binary, k6RunArgs(files), {
    cwd: dir,
    graceMs: o.killGraceMs ?? 10_000,
    env: {
      ...process.env,
      K6_NO_USAGE_REPORT: 'true',
      K6_WEB_DASHBOARD: 'false',
      ...o.env,
      [TARGET_ENV]: plan.baseUrl,
    },
  });
  tail.start();
  // Requests cut off by the stop are the generator's doing, not the target's: not reported.
  const onAbort = () => {
    stopAt = ctx.clock.now();
    proc.stop();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let exit;
  try {
    exit = await proc.exited;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await tail.finish();
    parser.end();
  }
  if (exit.spawnError) {
    throw new GauntletError(
      'GAUNTLET_SETUP',
      `--engine k6: cannot start ${binary}: ${exit.spawnError.message}`,
    );
  }
  const log = parseK6Log(proc.stderr());
  if (log.length === 0 && proc.stdout().trim()) log.push(...parseK6Log(proc.stdout()));
  const ending = k6Ending(exit, { stoppedByUs: proc.stoppedByUs, log });
  if (ending.kind === 'error') {
    throw new GauntletError('GAUNTLET_SETUP', `${ending.message}. The script and k6's output are in ${dir}`);
  }
  const results = await readThresholdResults(files.summary);
  const clean = ending.kind === 'completed' || ending.kind === 'thresholds-failed';
  const keep = !clean || o.workDir !== undefined;
  const evidence: Record<string, unknown> = {
    exit: describeExit(exit),
    parsed: { ...parser.stats },
    ...(keep ? { files } : {}),
    ...(tail.error ? { readError: tail.error.message } : {}),
  };
  const durationS = Math.round(ctx.clock.now()) / 1000;
  const verdicts: Verdict[] = [];
  const tv = thresholdVerdict(mapped, results, ending, describeExit(exit), durationS, evidence);
  if (tv) verdicts.push(tv);
  if (ending.kind === 'failed') {
    verdicts.push({
      name: 'k6-test-fail',
      claim: 'the k6 script does not mark the test failed',
      observed: ending.reason,
      pass: false,
      window: { start: 0, end: durationS },
      evidence,
    });
  }
  if (!keep) await rm(dir, { recursive: true, force: true });
  return {
    ...base,
    ...(ending.kind === 'aborted' ? { abortReason: ending.reason } : {}),
    ...(verdicts.length ? { verdicts } : {}),
  };
}

export function createK6Engine(o: K6EngineOptions = {}): LoadEngine {
  // Looked up now, so `--engine k6` without k6 fails before anything starts.
  const binary = o.binary ?? locateK6();
  return {
    name: 'k6',
    supports: () => true,
    run: (plan, ctx) => runK6(plan, ctx, { ...o, binary }),
  };
}

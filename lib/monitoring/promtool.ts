/**
 * promtool, run on rule files: `check rules` with lint findings fatal (promtool exits 0 on them
 * unless told otherwise), `test rules` for unit tests, and the extraction of a PrometheusRule's
 * spec.groups, which promtool cannot read itself.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export interface PromtoolResult {
  readonly ok: boolean;
  readonly exitCode: number | null;
  /** stdout and stderr together, as promtool prints findings on either. */
  readonly output: string;
}

/** Bounded: promtool on a handful of rule files takes well under a second. */
export function runPromtool(
  args: readonly string[],
  timeoutMs = 30_000,
  binary = 'promtool',
): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new Error(
          `could not run ${binary} (${err.message}); install it (Debian: apt-get install prometheus)`,
        ),
      );
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, exitCode: code, output });
    });
  });
}

/**
 * `promtool check rules --lint=all --lint-fatal`: parse and validation errors exit 1, lint
 * findings (duplicate rules) exit 3; both are failures here.
 */
export function checkRules(files: readonly string[]): Promise<PromtoolResult> {
  return runPromtool(['check', 'rules', '--lint=all', '--lint-fatal', ...files]);
}

export function testRules(testFiles: readonly string[]): Promise<PromtoolResult> {
  return runPromtool(['test', 'rules', ...testFiles]);
}

/** Writes a PrometheusRule manifest's spec.groups as a plain rules file promtool reads. */
export function extractPrometheusRule(manifestFile: string, outFile: string): void {
  const doc = parse(readFileSync(manifestFile, 'utf8')) as { kind?: string; spec?: { groups?: unknown } };
  if (doc?.kind !== 'PrometheusRule' || !Array.isArray(doc.spec?.groups))
    throw new Error(`${manifestFile}: expected a PrometheusRule with spec.groups`);
  writeFileSync(outFile, stringify({ groups: doc.spec.groups }));
}

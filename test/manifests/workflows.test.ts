/**
 * The example CI workflows in .github/workflows parse, have what GitHub needs to run them, pin
 * their actions, and refer only to things that exist: scripts, scenarios, overlays, gauntlet
 * commands, flags and reporters, and the report files a run writes under its --out directory.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { builtinReporterNames } from '../../reports/registry.ts';
import { JUNIT_FILE } from '../../reports/junit.ts';
import { MARKDOWN_FILE } from '../../reports/markdown.ts';
import { HTML_FILE } from '../../reports/html/file.ts';
import { RESULT_FILE } from '../../reports/json.ts';
import { gauntletInvocations, invocationProblems } from './cli-usage.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, '.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}
interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  jobs?: Record<string, { 'runs-on'?: string; 'timeout-minutes'?: number; steps?: Step[] }>;
}

const scripts = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** `${RESULTS}` and `${{ … }}` replaced by what the workflow's env gives, for path checks. */
function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string, b: string) => env[a ?? b] ?? m);
}

describe.each(files)('.github/workflows/%s', (file) => {
  const wf = parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow;
  const env = Object.fromEntries(Object.entries(wf.env ?? {}).map(([k, v]) => [k, String(v)]));
  const steps = Object.values(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);
  const runs = steps.map((s) => s.run ?? '').join('\n');

  it('has a name, triggers, least-privilege permissions and bounded jobs', () => {
    expect(wf.name).toBe(file.replace(/\.ya?ml$/, ''));
    expect(wf.on).toBeTruthy();
    expect(typeof wf.permissions).toBe('object');
    expect(Object.values(wf.permissions as object)).not.toContain('write-all');
    expect(Object.keys(wf.jobs ?? {}).length).toBeGreaterThan(0);
    for (const [name, job] of Object.entries(wf.jobs ?? {})) {
      expect(job['runs-on'], `jobs.${name}.runs-on`).toBeTruthy();
      expect(job['timeout-minutes'], `jobs.${name}.timeout-minutes`).toBeGreaterThan(0);
      expect(job.steps?.length, `jobs.${name}.steps`).toBeGreaterThan(0);
    }
  });

  it('gives every step one thing to do and pins every action to a major version', () => {
    for (const s of steps) {
      expect(Boolean(s.uses) !== Boolean(s.run), `${s.name}: exactly one of uses and run`).toBe(true);
      if (s.uses) expect(s.uses, s.name).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/);
    }
  });

  it('refers only to scripts, scenarios, directories and npm scripts that exist', () => {
    for (const [, p] of runs.matchAll(/\bbash ([\w./-]+\.sh)/g))
      expect(existsSync(path.join(root, p!)), p).toBe(true);
    for (const [, p] of runs.matchAll(/\b(scenarios\/[\w./-]+\.ts)/g))
      expect(existsSync(path.join(root, p!)), p).toBe(true);
    for (const [, p] of runs.matchAll(/docker build (?:-t \S+ )?([\w./-]+)/g))
      expect(existsSync(path.join(root, p!, 'Dockerfile')), `${p}/Dockerfile`).toBe(true);
    for (const [, s] of runs.matchAll(/npm run ([\w:-]+)/g))
      expect(scripts[s!], `npm run ${s}`).toBeDefined();
    for (const s of steps.filter((x) => x['working-directory']))
      expect(existsSync(path.join(root, s['working-directory']!, 'kustomization.yaml'))).toBe(true);
  });

  it('uses gauntlet commands and flags that exist, each naming the cluster, and real reporters', () => {
    const invocations = steps.flatMap((st) => gauntletInvocations(st.run ?? ''));
    expect(invocations.map((i) => i.command)).toEqual(expect.arrayContaining(['plan', 'run', 'recover']));
    // A recover or plan without --context would look for the embedded local cluster, not this one.
    expect(invocationProblems(invocations, { realCluster: true })).toEqual([]);
    for (const inv of invocations.filter((i) => i.command === 'run')) {
      const reporters = /--reporter (\S+)/.exec(inv.text)?.[1]?.split(',') ?? [];
      for (const r of reporters) expect(builtinReporterNames as readonly string[]).toContain(r);
      expect(reporters).toEqual(expect.arrayContaining(['junit', 'html']));
    }
  });

  it('publishes JUnit and keeps the HTML report, from where the run writes them, even when it fails', () => {
    const out = expand(/--out "?([^"\s]+)"?/.exec(runs.replace(/\n/g, ' '))![1]!, env);
    const junit = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
    expect(junit?.if).toBe('always()');
    expect(junit?.with?.report_paths).toBe(`${out}/${JUNIT_FILE}`);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    const kept = String(upload?.with?.path ?? '')
      .split('\n')
      .filter(Boolean);
    expect(kept.sort()).toEqual(
      [HTML_FILE, JUNIT_FILE, RESULT_FILE, MARKDOWN_FILE].map((f) => `${out}/${f}`).sort(),
    );
    expect(runs).toMatch(/npx gauntlet recover/);
  });
});

/**
 * The scripts the generator writes now — for the golden-test scenarios and for every scenario
 * shipped in scenarios/ — type-check against @types/k6 with `tsc --noEmit`, twice:
 *   - as TypeScript (`.ts`, strict): the script is valid TypeScript and uses k6's API correctly;
 *   - as checked JavaScript (`.js`, checkJs): the JSDoc type on `options` makes tsc check the
 *     scenarios and thresholds against k6's Options, which the `.ts` pass only infers.
 * The scripts come from the generator, not from the golden files, so a generator change that
 * breaks the types fails here even when the goldens are regenerated with it. A deliberately broken
 * copy must fail, so the check is known to bite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateK6Script } from '../../lib/load/k6/script.ts';
import { k6Scenarios, shippedScenarios } from './k6-scenarios.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const k6Types = join(repo, 'node_modules', '@types', 'k6');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function typecheck(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-k6-tsc-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const tsconfig = {
    compilerOptions: {
      target: 'ES2020',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2020'],
      strict: true,
      noEmit: true,
      allowJs: true,
      checkJs: true,
      skipLibCheck: false,
      types: [],
      paths: { k6: [k6Types], 'k6/*': [`${k6Types}/*`] },
    },
    files: Object.keys(files),
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** File stem → generated script: the golden-test scenarios, and the shipped ones as `shipped-<name>`. */
const scripts: Record<string, string> = {};
beforeAll(async () => {
  for (const [name, make] of Object.entries(k6Scenarios)) scripts[name] = generateK6Script(make());
  for (const [name, input] of Object.entries(await shippedScenarios())) {
    scripts[`shipped-${name}`] = generateK6Script(input);
  }
});

describe('generated k6 scripts type-check against @types/k6', () => {
  it('there are scripts to check: every golden-test scenario and every shipped one', () => {
    const names = Object.keys(scripts);
    expect(names.filter((n) => !n.startsWith('shipped-')).sort()).toEqual([
      'closed',
      'constant-mix',
      'no-url',
      'ramp-fractional',
    ]);
    expect(names).toContain('shipped-smoke');
    expect(names).toContain('shipped-autoscaling');
    expect(names.filter((n) => n.startsWith('shipped-')).length).toBeGreaterThanOrEqual(10);
  });

  it('as TypeScript (strict)', () => {
    const r = typecheck(Object.fromEntries(Object.entries(scripts).map(([n, s]) => [`${n}.ts`, s])));
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('as JavaScript with checkJs, which checks the options against k6 Options', () => {
    const r = typecheck(Object.fromEntries(Object.entries(scripts).map(([n, s]) => [`${n}.js`, s])));
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('a script with a wrong executor or a missing preAllocatedVUs fails the check', () => {
    const good = scripts['constant-mix']!;
    const typo = good.replace("executor: 'constant-arrival-rate'", "executor: 'constant-arival-rate'");
    const missing = good.replace(/^\s*preAllocatedVUs: \d+,\n/m, '');
    expect(typo).not.toBe(good);
    expect(missing).not.toBe(good);
    const r = typecheck({ 'typo.js': typo, 'missing.js': missing });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/typo\.js.*constant-arival-rate/);
    expect(r.output).toMatch(/missing\.js.*preAllocatedVUs/s);
  });
});

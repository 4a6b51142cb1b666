import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitReporter, renderJunit } from '../../reports/index.ts';
import { AWKWARD_TEXT, failingRun, passingRun } from './fixtures.ts';
import { findAll, parseXml } from './xmlParse.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-reports-junit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderJunit', () => {
  it('has one suite named after the scenario and one test case per verdict', () => {
    const root = parseXml(renderJunit(failingRun()));
    expect(root.name).toBe('testsuites');
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(1);
    const suite = suites[0]!;
    expect(suite.attrs).toMatchObject({ name: 'checkout-sla', tests: '4', failures: '2', errors: '0' });
    expect(root.attrs).toMatchObject({ tests: '4', failures: '2' });

    const cases = findAll(suite, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual([
      'p95<250ms',
      'errors<1%',
      'achieved>=99%',
      'availability>=99%',
    ]);
    expect(new Set(cases.map((c) => c.attrs.classname))).toEqual(new Set(['gauntlet.checkout-sla']));
    // Time is the verdict's evidence window, in seconds.
    expect(cases.map((c) => c.attrs.time)).toEqual(['60', '15', '60', '25']);
  });

  it('gives a failing verdict a claim-vs-observed message and the evidence in the body', () => {
    const failure = findAll(parseXml(renderJunit(failingRun())), 'testcase')[1]!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attrs.message).toBe('error rate < 1% during pod-kill vs error rate = 7.6%');
    expect(failure.attrs.type).toBe('assertion');
    expect(failure.text).toContain('claim:    error rate < 1% during pod-kill');
    expect(failure.text).toContain('observed: error rate = 7.6%');
    expect(failure.text).toContain('window:   20s–35s');
    const evidence = JSON.parse(failure.text.slice(failure.text.indexOf('{'))) as { failed: number };
    expect(evidence.failed).toBe(105);
  });

  it('fails an inconclusive verdict but says it is not the target', () => {
    const failure = findAll(parseXml(renderJunit(failingRun())), 'testcase')[2]!.children[0]!;
    expect(failure.attrs.type).toBe('inconclusive');
    expect(failure.attrs.message).toMatch(/^inconclusive \(generator-side, not a target failure\)/);
    expect(failure.text).toMatch(/^inconclusive: not judged, because the load generator fell short/);
  });

  it('reports zero failures when all verdicts pass', () => {
    const root = parseXml(renderJunit(passingRun()));
    expect(root.attrs).toMatchObject({ tests: '4', failures: '0' });
    expect(findAll(root, 'failure')).toHaveLength(0);
  });

  it('escapes markup characters and replaces characters XML cannot carry', () => {
    const run = failingRun();
    run.scenario.name = AWKWARD_TEXT;
    Object.assign(run.verdicts[1]!, {
      name: AWKWARD_TEXT,
      claim: AWKWARD_TEXT,
      evidence: { note: AWKWARD_TEXT },
    });
    const xml = renderJunit(run);
    const root = parseXml(xml); // throws on raw control characters, bad entities or broken nesting
    expect(xml).not.toContain('\u0007');
    expect(xml).not.toContain('\u0000');

    const kase = findAll(root, 'testcase')[1]!;
    const visible = AWKWARD_TEXT.replace('\u0007', '\\u0007').replace('\u0000', '\\u0000');
    expect(kase.attrs.name).toBe(visible); // tab and newline survive attribute normalisation
    expect(kase.attrs.classname).toBe(`gauntlet.${visible}`);
    expect(findAll(root, 'testsuite')[0]!.attrs.name).toBe(visible);
    expect(kase.children[0]!.attrs.message).toContain(visible);
    expect(kase.children[0]!.text).toContain(`claim:    ${visible}`);
    expect(xml).toContain('a&lt;b &amp; &quot;c&quot; &apos;d&apos;');
  });

  it('keeps a lone surrogate from producing invalid XML', () => {
    const run = failingRun();
    run.verdicts[1]!.observed = 'half \uD83D pair';
    const failure = findAll(parseXml(renderJunit(run)), 'failure')[0]!;
    expect(failure.attrs.message).toContain('half \\uD83D pair');
  });
});

describe('junitReporter', () => {
  it('writes junit.xml into the output directory', async () => {
    const outDir = join(dir, 'out');
    const paths = await junitReporter().onEnd?.(failingRun(), { outDir });
    expect(paths).toEqual([join(outDir, 'junit.xml')]);
    expect(await readFile(join(outDir, 'junit.xml'), 'utf8')).toBe(renderJunit(failingRun()));
  });
});

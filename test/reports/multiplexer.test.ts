import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/errors.ts';
import {
  builtinReporterNames,
  builtinReporters,
  createMultiplexer,
  createReporters,
  renderConsoleSummary,
} from '../../reports/index.ts';
import type {
  BuiltinReporter,
  ProgressSnapshot,
  Reporter,
  ReporterError,
  RunInfo,
} from '../../reports/index.ts';
import { failingRun } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-reports-mux-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const info: RunInfo = {
  scenario: 's',
  target: 'http://127.0.0.1:1',
  engine: 'native',
  plannedDurationS: 10,
  outDir: 'x',
};
const snap: ProgressSnapshot = {
  elapsedS: 1,
  plannedDurationS: 10,
  intendedRps: 10,
  achievedRps: 10,
  p95Ms: 5,
  failed: 0,
  dropped: 0,
  sent: 10,
  activeFaults: [],
};

/** Records every call it receives, so a test can see who was reached. */
function recorder(name: string, calls: string[], paths: string[] = []): Reporter {
  return {
    name,
    onBegin: () => void calls.push(`${name}.onBegin`),
    onProgress: () => void calls.push(`${name}.onProgress`),
    onEnd: () => {
      calls.push(`${name}.onEnd`);
      return paths;
    },
  };
}

describe('createMultiplexer', () => {
  it('isolates reporters that throw or reject, and still runs the others', async () => {
    const calls: string[] = [];
    const seen: ReporterError[] = [];
    const syncThrower: Reporter = {
      name: 'sync-thrower',
      onBegin: () => {
        throw new Error('begin broke');
      },
      onProgress: () => {
        throw 'a string, not an Error';
      },
      onEnd: () => {
        throw new Error('end broke');
      },
    };
    const asyncRejecter: Reporter = {
      name: 'async-rejecter',
      onBegin: async () => Promise.reject(new Error('async begin broke')),
      // Typed void, but nothing stops a reporter from returning a rejected promise.
      onProgress: (() =>
        Promise.reject(new Error('async progress broke'))) as unknown as Reporter['onProgress'],
      onEnd: async () => Promise.reject(new Error('async end broke')),
    };
    const mux = createMultiplexer(
      [syncThrower, recorder('a', calls, ['a.txt']), asyncRejecter, recorder('b', calls, ['b.txt'])],
      {
        onError: (e) => seen.push(e),
      },
    );

    await mux.onBegin(info);
    mux.onProgress(snap);
    await new Promise((r) => setImmediate(r)); // let the rejected progress promise settle
    const paths = await mux.onEnd(failingRun(), { outDir: dir });

    expect(calls).toEqual(['a.onBegin', 'b.onBegin', 'a.onProgress', 'b.onProgress', 'a.onEnd', 'b.onEnd']);
    expect(paths).toEqual(['a.txt', 'b.txt']);
    const errors = mux.errors().map((e) => [e.reporter, e.hook, e.error.message]);
    expect(errors).toEqual([
      ['sync-thrower', 'onBegin', 'begin broke'],
      ['async-rejecter', 'onBegin', 'async begin broke'],
      ['sync-thrower', 'onProgress', 'a string, not an Error'],
      ['async-rejecter', 'onProgress', 'async progress broke'],
      ['sync-thrower', 'onEnd', 'end broke'],
      ['async-rejecter', 'onEnd', 'async end broke'],
    ]);
    expect(mux.errors().every((e) => e.error instanceof Error)).toBe(true);
    expect(seen).toHaveLength(6);
  });

  it('ends file writers first and hands their paths to the stdio reporter', async () => {
    let handed: readonly string[] | undefined;
    const stdio: Reporter = {
      name: 'terminal',
      printsToStdio: () => true,
      onEnd: (_result, ctx) => {
        handed = ctx.writtenFiles;
      },
    };
    const calls: string[] = [];
    const mux = createMultiplexer([stdio, recorder('writer', calls, [join(dir, 'w.txt')])]);
    expect(mux.printsToStdio()).toBe(true);
    expect(await mux.onEnd(failingRun(), { outDir: dir })).toEqual([join(dir, 'w.txt')]);
    expect(handed).toEqual([join(dir, 'w.txt')]);
    expect(createMultiplexer([recorder('quiet', [])]).printsToStdio()).toBe(false);
  });
});

describe('builtin reporters', () => {
  it('has one entry per name, from one source', () => {
    expect(Object.keys(builtinReporters).sort()).toEqual([...builtinReporterNames].sort());
    const names: BuiltinReporter[] = ['json', 'junit', 'markdown', 'console', 'html', 'png'];
    expect(new Set(names)).toEqual(new Set(builtinReporterNames));
  });

  it('writes all reports and prints the table through one multiplexer', async () => {
    const chunks: string[] = [];
    const outDir = join(dir, 'all');
    const reporters = createReporters(['json', 'junit', 'markdown', 'console', 'json'], {
      console: { stream: { write: (s: string) => chunks.push(s) }, isTTY: false, color: false },
    });
    expect(reporters.map((r) => r.name)).toEqual(['json', 'junit', 'markdown', 'console']);
    const mux = createMultiplexer(reporters);
    const paths = await mux.onEnd(failingRun(), { outDir });
    expect(mux.errors()).toEqual([]);
    expect(paths).toEqual(['result.json', 'junit.xml', 'summary.md'].map((f) => join(outDir, f)));
    expect((await readdir(outDir)).sort()).toEqual(['junit.xml', 'result.json', 'summary.md']);
    const printed = chunks.join('');
    expect(printed.startsWith(renderConsoleSummary(failingRun()))).toBe(true);
    expect(printed).toContain(join(outDir, 'junit.xml'));
  });

  it('names an unknown reporter and lists the valid ones', () => {
    const attempt = (): unknown => createReporters(['json', 'xml', 'htlm']);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(
      "unknown reporters 'xml', 'htlm'; valid reporters: json, junit, markdown, console",
    );
    expect(() => createReporters(['toString'])).toThrow(/unknown reporter 'toString'/);
  });
});

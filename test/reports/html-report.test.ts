import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_FILE, htmlReporter, renderHtml } from '../../reports/index.ts';
import { failureEvidence } from '../../reports/html/evidence.ts';
import { jsonForScript, scriptSource } from '../../reports/html/escape.ts';
import { chaosRun } from './chaos-fixture.ts';
import { AWKWARD_TEXT, failingRun, invalidRun } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The parsed content of a `<script type="application/json" id=…>` block. */
function dataBlock(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  expect(m, `data block ${id}`).not.toBeNull();
  return JSON.parse(m![1]!);
}

/** The body rows of one table, each as its cells' HTML. */
function tableRows(html: string, id: string): string[] {
  const start = html.indexOf(`<table id="${id}">`);
  expect(start, `table ${id}`).toBeGreaterThanOrEqual(0);
  const body = html.slice(html.indexOf('<tbody>', start) + 7, html.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((m) => m[1]!);
}

/** Text between two markers, to check what a section holds. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<h2 id="${id}">`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  const next = html.indexOf('<h2 ', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

describe('renderHtml', () => {
  const html = renderHtml(chaosRun());

  it('is one self-contained file: Chart.js inlined with its licence, no external reference', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('/*!\n * Chart.js v4.');
    expect(html).toContain('Released under the MIT License');
    expect(html).toContain('@kurkle/color');
    // Nothing to fetch: no src/href to another file or host, and a policy that forbids it anyway.
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'`);
  });

  it('puts the verdict table first: result, claim, observed, window', () => {
    const verdicts = section(html, 'verdicts');
    expect(html.indexOf('<h2 id="verdicts">')).toBeLessThan(html.indexOf('<h2 id="charts">'));
    expect(verdicts).toContain(
      '<th scope="col">Result</th><th scope="col">Verdict</th><th scope="col">Claim</th>',
    );
    expect(verdicts).toContain(
      '<tr class="row-fail"><td><span class="badge fail">✗ fail</span></td><td><code>zero-downtime</code>',
    );
    expect(verdicts).toContain('<td>30s–75s</td>');
    const inconclusive = renderHtml(failingRun());
    expect(section(inconclusive, 'verdicts')).toContain(
      '<span class="badge inconclusive">? inconclusive</span>',
    );
  });

  it('has one labelled canvas per chart and carries the chart configurations as data', () => {
    const charts = dataBlock(html, 'gauntlet-charts') as {
      charts: { canvas: string; config: { chart: unknown } }[];
    };
    const ids = charts.charts.map((c) => c.canvas);
    expect(ids).toEqual([
      'chart-throughput',
      'chart-latency',
      'chart-failures',
      'chart-replicas',
      'chart-zones',
    ]);
    for (const id of ids) {
      expect(html).toContain(
        `<canvas id="${id}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-summary">`,
      );
    }
    expect(html).toContain('Hatched: injected fault (kill one api pod 30s–30.8s; zone-b outage 60s–75s)');
    const result = dataBlock(html, 'gauntlet-result') as { scenario: { name: string }; series: object[] };
    expect(result.scenario.name).toBe('zone-chaos');
    expect(result.series[0]).not.toHaveProperty('hist');
  });

  it('notes each chart it leaves out, instead of a blank canvas', () => {
    const plain = renderHtml(failingRun());
    expect(plain).not.toContain('id="chart-replicas"');
    expect(plain).toContain(
      '<p class="omitted" id="omitted-replicas"><strong>Replicas and ready endpoints</strong>: No replica or endpoint data',
    );
    expect(plain).toContain('id="omitted-zones"');
  });

  it('tallies the causes, then lists each failed request with its cause, linked to the event', () => {
    const ev = section(html, 'zero-downtime');
    expect(ev).toContain('Verdict <code>zero-downtime</code>');
    const causes = tableRows(ev, 'cause-table-0');
    expect(causes).toHaveLength(5);
    expect(causes[0]).toBe(
      '<td>pod-terminating Pod/novel/api-7d9f-x2k at 30.02s <a href="#event-1">(event 1)</a></td>' +
        '<td>5</td><td>15–351 ms</td>',
    );
    expect(causes[4]).toBe(
      '<td><span class="unexplained">unexplained:</span> no cluster change to blame</td><td>1</td><td>—</td>',
    );
    const rows = tableRows(ev, 'failure-table-0');
    expect(rows).toHaveLength(15);
    expect(rows[0]).toBe(
      '<td>10.4s</td><td>get-novel</td><td>status-5xx (500)</td><td>—</td><td>8 ms</td>' +
        '<td><span class="unexplained">unexplained:</span> no cluster change in flight or in the 2 s before</td>',
    );
    expect(rows[1]).toBe(
      '<td>30.01s</td><td>get-novel</td><td>reset</td><td>10.0.1.7:8080</td><td>25 ms</td>' +
        '<td>pod-terminating Pod/novel/api-7d9f-x2k at 30.02s (deleted with grace 0s); failed 15 ms later ' +
        '<a href="#event-1">(event 1)</a></td>',
    );
    // A chaos start is a cause with no event to link to.
    expect(rows[14]).toContain(
      '<td>chaos zone/zone-b at 60s (zone-outage started: zone-b outage); failed 690 ms later</td>',
    );
    expect(html).toContain('id="event-1">1</span>');
  });

  it('lists failed seconds when the verdict had too many failures to list', () => {
    const r = chaosRun();
    const zd = r.verdicts.find((v) => v.name === 'zero-downtime')!;
    zd.evidence = {
      failed: 900,
      lookbackMs: 2000,
      byCause: [
        {
          t: 61.2,
          kind: 'node-not-ready',
          object: 'Node//worker-b1',
          failures: 900,
          minGapMs: 5,
          maxGapMs: 800,
        },
      ],
      unattributed: 0,
      seconds: [
        {
          second: 61,
          failed: 500,
          errors: { timeout: 450, reset: 50 },
          cause: {
            t: 61.2,
            kind: 'node-not-ready',
            object: 'Node//worker-b1',
            message: 'NodeNotReady',
            gapMs: 5,
          },
        },
        { second: 62, failed: 400, errors: { refused: 400 }, cause: null },
      ],
      moreSeconds: 3,
    };
    const ev = section(renderHtml(r), 'zero-downtime');
    expect(tableRows(ev, 'cause-table-0')[0]).toContain('<td>900</td><td>5–800 ms</td>');
    expect(tableRows(ev, 'failure-seconds-0')).toEqual([
      '<td>61s</td><td>500</td><td>reset 50, timeout 450</td><td>node-not-ready Node//worker-b1 at 61.2s (NodeNotReady); failed 5 ms later <a href="#event-8">(event 8)</a></td>',
      '<td>62s</td><td>400</td><td>refused 400</td><td><span class="unexplained">unexplained:</span> no cluster change in flight or in the 2 s before</td>',
    ]);
    expect(ev).toContain('3 more failed seconds are not listed.');
    expect(ev).not.toContain('not sampled');
  });

  it('falls back to the failure sample, without causes, when no verdict attributes failures', () => {
    const r = chaosRun();
    r.verdicts = r.verdicts.filter((v) => v.name !== 'zero-downtime');
    const evidence = failureEvidence(r);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ verdict: null, notListed: 0 });
    expect(evidence[0]!.failures[1]).toEqual({
      t: 30.01,
      kind: 'reset',
      request: 'get-novel',
      target: '10.0.1.7:8080',
      latencyMs: 25,
    });
    const ev = section(renderHtml(r), 'zero-downtime');
    expect(ev).toContain('listed without causes');
    expect(ev).toContain('<span class="muted">not attributed</span>');
    expect(section(renderHtml(failingRun()), 'zero-downtime')).toContain('No failed requests were recorded');
  });

  it('reads causes written as plain text or marked unexplained', () => {
    const r = chaosRun();
    const zd = r.verdicts.find((v) => v.name === 'zero-downtime')!;
    zd.evidence = {
      failed: 20,
      failures: [
        { t: 1, kind: 'refused', cause: 'pod deleted before its endpoint was removed' },
        {
          t: 2,
          kind: 'timeout',
          cause: { kind: 'none', explained: false, message: 'no cluster change nearby' },
        },
        'not an object',
      ],
    };
    const [ev] = failureEvidence(r);
    expect(ev!.failures.map((f) => [f.cause, f.explained])).toEqual([
      ['pod deleted before its endpoint was removed', undefined],
      ['none (no cluster change nearby)', false],
    ]);
    expect(ev!.notListed).toBe(18);
    const html2 = section(renderHtml(r), 'zero-downtime');
    expect(html2).toContain('<span class="unexplained">unexplained:</span> none (no cluster change nearby)');
    expect(html2).toContain('18 more failed requests were not sampled.');
  });

  it('escapes text everywhere and keeps data blocks from ending their script element', () => {
    const r = chaosRun();
    r.verdicts[0]!.claim = AWKWARD_TEXT;
    r.events[0]!.message = 'upstream said </script><script>alert(1)</script>';
    r.scenario.name = '<b>x</b>';
    const out = renderHtml(r);
    expect(out).toContain('a&lt;b &amp; &quot;c&quot; &#39;d&#39; |e| ]]&gt; bell\\x07 nul\\x00');
    expect(out).not.toContain('<script>alert(1)');
    expect(out).toContain('<h1>&lt;b&gt;x&lt;/b&gt;</h1>');
    // The result's copy keeps the text exactly; only its encoding differs.
    const data = dataBlock(out, 'gauntlet-result') as { events: { message: string }[] };
    expect(data.events[0]!.message).toBe('upstream said </script><script>alert(1)</script>');
    expect(jsonForScript({ a: '</script>' })).toBe('{"a":"\\u003c/script>"}');
    expect(() => scriptSource('x = "</script>"', 'test')).toThrow(/cannot be inlined/);
  });

  it('says so at the top when the run is invalid or was aborted', () => {
    const out = renderHtml(invalidRun());
    expect(out).toContain('<p class="outcome invalid">⚠ INVALID RUN</p>');
    expect(out).toContain('The load generator could not produce the intended load');
    expect(out).toContain('Run aborted: generator saturated: schedule lag over 1s.');
  });
});

describe('htmlReporter', () => {
  it('writes report.html into the output directory', async () => {
    const paths = await htmlReporter().onEnd?.(chaosRun(), { outDir: dir });
    expect(paths).toEqual([join(dir, HTML_FILE)]);
    expect(await readFile(join(dir, HTML_FILE), 'utf8')).toBe(renderHtml(chaosRun()));
  });
});

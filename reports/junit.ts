/**
 * JUnit XML: one test case per verdict, so CI systems show each SLA as a test. An inconclusive
 * verdict fails the job too (nobody should ship on an unjudged claim), but its message says the
 * generator, not the target, fell short.
 */
import type { RunResult, Verdict } from '../lib/result/schema.ts';
import { countVerdicts, num, verdictOutcome, windowText } from './format.ts';
import { writeOutputFile } from './outputFile.ts';
import type { Reporter } from './reporter.ts';
import { escapeXmlText, xmlAttrs } from './xml.ts';

export const JUNIT_FILE = 'junit.xml';

export function renderJunit(result: RunResult): string {
  const { scenario, verdicts } = result;
  const counts = countVerdicts(verdicts);
  const failures = counts.failed + counts.inconclusive;
  const totals = { tests: counts.total, failures, errors: 0, skipped: 0, time: seconds(result.durationS) };
  const properties = [
    ['target', scenario.target],
    ['status', result.status],
    ['valid', String(result.valid)],
    ['scale', String(scenario.scale)],
    ['engine', result.load.engine],
    ['gauntletVersion', result.gauntletVersion],
    ...(result.abortReason ? [['abortReason', result.abortReason]] : []),
  ] as const;

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${xmlAttrs({ name: 'gauntlet', ...totals })}>`,
    `  <testsuite${xmlAttrs({ name: scenario.name, ...totals, timestamp: result.startedAt })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property${xmlAttrs({ name, value })}/>`),
    '    </properties>',
    ...verdicts.map((v) => testcase(v, scenario.name)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(v: Verdict, scenario: string): string {
  const attrs = xmlAttrs({
    name: v.name,
    classname: `gauntlet.${scenario}`,
    time: seconds(v.window.end - v.window.start),
  });
  const outcome = verdictOutcome(v);
  if (outcome === 'pass') return `    <testcase${attrs}/>`;

  const message =
    outcome === 'inconclusive'
      ? `inconclusive (generator-side, not a target failure): ${v.claim} vs ${v.observed}`
      : `${v.claim} vs ${v.observed}`;
  const type = outcome === 'inconclusive' ? 'inconclusive' : 'assertion';
  return [
    `    <testcase${attrs}>`,
    `      <failure${xmlAttrs({ message, type })}>${escapeXmlText(failureBody(v, outcome))}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function failureBody(v: Verdict, outcome: 'fail' | 'inconclusive'): string {
  const lines = [
    ...(outcome === 'inconclusive'
      ? [
          'inconclusive: not judged, because the load generator fell short of the intended load or the window ' +
            'held nothing to judge; this says nothing of the target',
        ]
      : []),
    `claim:    ${v.claim}`,
    `observed: ${v.observed}`,
    `window:   ${windowText(v.window)}`,
  ];
  if (v.evidence !== undefined) lines.push('evidence:', safeJson(v.evidence));
  return lines.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    // Evidence is data from assertions; a cycle or BigInt should not cost the whole report.
    return String(value);
  }
}

function seconds(s: number): string {
  return num(Math.max(0, s), 3);
}

export function junitReporter(): Reporter {
  return {
    name: 'junit',
    async onEnd(result, ctx) {
      return [await writeOutputFile(ctx, JUNIT_FILE, renderJunit(result))];
    },
  };
}

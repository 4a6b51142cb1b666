/**
 * The end-of-run verdict table for a terminal. Columns are padded on the plain text and coloured
 * afterwards, so escape codes never throw the alignment off.
 */
import type { RunResult } from '../lib/result/schema.ts';
import {
  countVerdicts,
  countsText,
  duration,
  ms,
  rps,
  runOutcome,
  verdictOutcome,
  windowText,
} from './format.ts';
import type { RunOutcome, VerdictOutcome } from './format.ts';

export interface ConsoleSummaryOptions {
  /** ANSI colours; off unless asked for (the caller knows whether the stream is a TTY). */
  readonly color?: boolean;
}

const ansi = { green: 32, red: 31, yellow: 33, bold: 1, dim: 2 } as const;
type Style = keyof typeof ansi;

const runLabel: Record<RunOutcome, [string, Style]> = {
  pass: ['PASS', 'green'],
  fail: ['FAIL', 'red'],
  invalid: ['INVALID', 'yellow'],
};
const verdictLabel: Record<VerdictOutcome, [string, Style]> = {
  pass: ['PASS', 'green'],
  fail: ['FAIL', 'red'],
  inconclusive: ['INCONCLUSIVE', 'yellow'],
};

export function renderConsoleSummary(result: RunResult, options: ConsoleSummaryOptions = {}): string {
  const paint = (s: string, style: Style): string => (options.color ? `\x1b[${ansi[style]}m${s}\x1b[0m` : s);
  const c = countVerdicts(result.verdicts);
  const [label, style] = runLabel[runOutcome(result)];
  const tally = [
    `${c.passed} passed`,
    `${c.failed} failed`,
    ...(c.inconclusive ? [`${c.inconclusive} inconclusive`] : []),
  ];
  const lines = [
    `${paint(label, style)} ${oneLine(result.scenario.name)} → ${oneLine(result.scenario.target)} · ${duration(result.durationS)} · ` +
      `${c.total} verdict${c.total === 1 ? '' : 's'}: ${tally.join(', ')}`,
  ];
  if (!result.valid) {
    lines.push(
      paint(
        'the load generator fell short of the intended load: verdicts say nothing of the target',
        'yellow',
      ),
    );
  }
  if (result.status !== 'completed') {
    lines.push(paint(`run ${result.status}${result.abortReason ? `: ${result.abortReason}` : ''}`, 'yellow'));
  }

  const l = result.load;
  lines.push(
    paint(
      `load: ${rps(l.achievedRps)}/${rps(l.intendedRps)} req/s · ${l.requests.sent} sent, ${l.requests.ok} ok, ` +
        `${l.requests.failed} failed, ${l.requests.dropped} dropped · p50 ${ms(l.latencyMs.p50)}, ` +
        `p95 ${ms(l.latencyMs.p95)}, p99 ${ms(l.latencyMs.p99)}, max ${ms(l.latencyMs.max)} · errors: ${countsText(l.errors)}`,
      'dim',
    ),
  );

  if (result.verdicts.length > 0) {
    const head = ['RESULT', 'VERDICT', 'CLAIM', 'OBSERVED', 'WINDOW'];
    const rows = result.verdicts.map((v) => {
      const o = verdictOutcome(v);
      return {
        o,
        cells: [
          verdictLabel[o][0],
          oneLine(v.name),
          oneLine(v.claim),
          oneLine(v.observed),
          windowText(v.window),
        ],
      };
    });
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r.cells[i] ?? '').length)));
    const pad = (cells: readonly string[]): string[] => cells.map((s, i) => s.padEnd(widths[i] ?? 0));
    lines.push('', paint(pad(head).join('  ').trimEnd(), 'bold'));
    for (const { o, cells } of rows) {
      const [first = '', ...rest] = pad(cells);
      lines.push(`${paint(first, verdictLabel[o][1])}  ${rest.join('  ')}`.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Control characters would garble the terminal (or redraw it); show them instead. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return s.replace(/[\u0000-\u001F\u007F]/g, (ch) =>
    ch === '\n' || ch === '\t' ? ' ' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

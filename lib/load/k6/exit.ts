/**
 * How a k6 run ended, from its exit code (errext/exitcodes/codes.go) and its log, as a gauntlet
 * outcome:
 *   0                      completed
 *   99 thresholds failed   a verdict (the run itself is fine), or an abort when k6 says an
 *                          abortOnFail threshold stopped it early
 *   103 / 108              aborted (REST API stop, the script's test.abort())
 *   105 external abort     interrupted when gauntlet sent the signal, else aborted by someone else
 *   110 test.fail()        a failed verdict
 *   anything else          k6 could not run the scenario (script exception 107, invalid
 *                          config 104, setup/teardown timeouts 100–102, panic 109, cloud 97/98,
 *                          REST API 106, usage errors): a setup error, exit 2
 */

export interface K6LogLine {
  readonly level: string;
  readonly msg: string;
}

/** k6's stderr with `--log-format=json`: one JSON object a line; other lines are kept as text. */
export function parseK6Log(text: string): K6LogLine[] {
  const out: K6LogLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    try {
      const o = JSON.parse(line) as { level?: unknown; msg?: unknown; error?: unknown };
      if (typeof o === 'object' && o !== null && typeof o.msg === 'string') {
        const detail = typeof o.error === 'string' && o.error !== '' ? `: ${o.error}` : '';
        out.push({ level: typeof o.level === 'string' ? o.level : 'info', msg: o.msg + detail });
        continue;
      }
    } catch {
      // not JSON: keep the text as written
    }
    out.push({ level: 'text', msg: line });
  }
  return out;
}

export type K6Ending =
  | { readonly kind: 'completed' }
  | { readonly kind: 'thresholds-failed' }
  | { readonly kind: 'aborted'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'error'; readonly message: string };

export interface K6Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const exitNames: Record<number, string> = {
  97: 'cloud test failed',
  98: 'cloud progress failed',
  99: 'thresholds failed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'timed out',
  103: 'stopped through the REST API',
  104: 'invalid configuration',
  105: 'interrupted by a signal',
  106: 'could not start the REST API',
  107: 'script exception',
  108: 'test.abort() was called',
  109: 'k6 panicked',
  110: 'execution.test.fail() was called',
};

export function describeExit(exit: K6Exit): string {
  if (exit.code === null) return `killed by ${exit.signal ?? 'a signal'}`;
  const name = exitNames[exit.code];
  return name ? `exit ${exit.code}: ${name}` : `exit ${exit.code}`;
}

const abortRe =
  /thresholds on metrics (.+?) (?:were|have been) (?:crossed|breached); at least one has abortOnFail/;
const testAbortRe = /test aborted(?::\s*(.*))?/;

/** Error-level messages, the last few, for a message that says what k6 complained about. */
export function k6Complaints(log: readonly K6LogLine[], max = 5): string[] {
  const errors = log.filter((l) => l.level === 'error' || l.level === 'fatal' || l.level === 'text');
  return errors.slice(-max).map((l) => l.msg.split('\n').slice(0, 3).join(' | '));
}

export interface EndingContext {
  /** gauntlet stopped k6 (SIGINT, then SIGKILL if it lingered). */
  readonly stoppedByUs: boolean;
  readonly log: readonly K6LogLine[];
}

export function k6Ending(exit: K6Exit, ctx: EndingContext): K6Ending {
  const { code } = exit;
  if (code === null) {
    if (ctx.stoppedByUs) return { kind: 'interrupted' };
    return { kind: 'error', message: `k6 was ${describeExit(exit)}` };
  }
  switch (code) {
    case 0:
      return { kind: 'completed' };
    case 99: {
      const hit = ctx.log.map((l) => abortRe.exec(l.msg)).find((m) => m !== null);
      if (hit && !ctx.stoppedByUs) {
        return { kind: 'aborted', reason: `k6 abortOnFail: thresholds on metrics ${hit[1]} were crossed` };
      }
      return { kind: 'thresholds-failed' };
    }
    case 103:
      return ctx.stoppedByUs
        ? { kind: 'interrupted' }
        : { kind: 'aborted', reason: 'k6 was stopped through its REST API' };
    case 105:
      return ctx.stoppedByUs
        ? { kind: 'interrupted' }
        : { kind: 'aborted', reason: 'k6 was interrupted by a signal gauntlet did not send' };
    case 108: {
      const why = ctx.log.map((l) => testAbortRe.exec(l.msg)).find((m) => m !== null);
      const detail = why?.[1] ? `: ${why[1]}` : '';
      return { kind: 'aborted', reason: `the k6 script called test.abort()${detail}` };
    }
    case 110:
      return { kind: 'failed', reason: 'the k6 script called execution.test.fail()' };
    default: {
      const said = k6Complaints(ctx.log);
      return {
        kind: 'error',
        message: `k6 could not run the scenario (${describeExit(exit)})${said.length ? `: ${said.join('; ')}` : ''}`,
      };
    }
  }
}

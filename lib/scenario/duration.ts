/**
 * Durations in scenarios are strings like '30s', '1m30s', '250ms', '2h' (as in k6), or a number of
 * milliseconds. Everything after validation is in milliseconds.
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const durationRe = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const partRe = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const s = input.trim();
  if (!durationRe.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(partRe)) total += Number(m[1]) * (unitMs[m[2] as string] ?? NaN);
  return Number.isFinite(total) ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${+s.toFixed(2)}s`;
  const m = Math.floor(s / 60);
  const rest = +(s - m * 60).toFixed(1);
  if (m < 60) return rest ? `${m}m${rest}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}

export const DURATION_HINT = "use a duration like '30s', '2m', '1m30s' or '250ms'";

/** Flag parsers for commander: each names the flag and the fix when the value is wrong. */
import { UsageError } from '../errors.ts';
import { DURATION_HINT, parseDuration } from '../scenario/duration.ts';
import { parseSlaText } from '../scenario/sla-text.ts';

export function positiveNumber(flag: string, example: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new UsageError(`${flag}: '${value}' is not a positive number; use e.g. ${flag} ${example}`);
    }
    return n;
  };
}

export function positiveInt(flag: string, example: string) {
  const num = positiveNumber(flag, example);
  return (value: string): number => {
    const n = num(value);
    if (!Number.isInteger(n))
      throw new UsageError(`${flag}: '${value}' must be a whole number; use e.g. ${flag} ${example}`);
    return n;
  };
}

export function duration(flag: string) {
  return (value: string): string => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0)
      throw new UsageError(`${flag}: '${value}' is not a duration; ${DURATION_HINT}`);
    return value;
  };
}

/**
 * A duration whose help says 0 is allowed ("0 for none"): a bare `0` is accepted as '0s', the
 * only duration that needs no unit.
 */
export function durationOrZero(flag: string) {
  return (value: string): string => {
    if (value.trim() === '0') return '0s';
    if (parseDuration(value) === undefined)
      throw new UsageError(`${flag}: '${value}' is not a duration; ${DURATION_HINT}, or 0 for none`);
    return value;
  };
}

export function sla(value: string, previous: string[] = []): string[] {
  const r = parseSlaText(value);
  if ('error' in r) throw new UsageError(`--sla: ${r.error}`);
  return [...previous, value];
}

export function url(flag: string) {
  return (value: string): string => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      throw new UsageError(`${flag}: '${value}' is not a URL; use e.g. ${flag} http://127.0.0.1:8080`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new UsageError(`${flag}: only http:// and https:// targets are supported (got ${u.protocol})`);
    }
    return value;
  };
}

export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function header(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf(':');
  if (i <= 0) throw new UsageError(`--header: '${value}' must look like 'Name: value'`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1).trim() };
}

/** `--target`: 'local' (the embedded local cluster's stack) or an http(s) URL. */
export function target(value: string): string {
  if (value === 'local') return value;
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return value;
  } catch {
    // falls through to the usage error
  }
  throw new UsageError(
    `--target: '${value}' is neither 'local' nor an http(s) URL; use --target local or --target http://127.0.0.1:8080`,
  );
}

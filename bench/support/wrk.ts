/** wrk's own executable, where installed, and what it prints. */
import { existsSync } from 'node:fs';

export const wrkBin = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p)) ?? null;

/** wrk prints e.g. "Requests/sec:  12345.67" and a latency distribution with --latency. */
export function parseWrk(stdout: string): { rps: number; pct: (p: string) => number | null } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
    if (!m) return null;
    const scale = { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
    return Number(m[1]) * scale;
  };
  return { rps, pct };
}

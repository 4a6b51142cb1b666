/**
 * CPU and memory of process groups from /proc, as cAdvisor reports a container's cgroup: CPU is
 * utime+stime of every live member plus the times of children they reaped (cutime+cstime), in
 * seconds (÷ CLK_TCK); memory is the members' summed RSS. Usage over a window comes from two
 * samples of that monotonic counter, in millicores, which is what metrics.k8s.io serves the HPA.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface GroupSample {
  readonly time: number;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

/** Linux USER_HZ: 100 on every mainstream architecture; procfs reports times in these ticks. */
export const defaultClockTicks = 100;

let pageSize: number | undefined;

/** The page size, learned once by comparing this process' RSS in pages with its RSS in bytes. */
function pageBytes(): number {
  if (pageSize === undefined) {
    try {
      const pages = Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
      const ratio = process.memoryUsage().rss / pages;
      pageSize = 2 ** Math.round(Math.log2(ratio));
    } catch {
      pageSize = 4096;
    }
  }
  return pageSize;
}

interface StatFields {
  pgrp: number;
  ticks: number;
  rssPages: number;
}

/** Fields of /proc/<pid>/stat after the parenthesised command name, which may hold spaces. */
function parseStat(text: string): StatFields | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ')': state(3) ppid(4) pgrp(5) ... utime(14) stime(15) cutime(16) cstime(17) ... rss(24)
  const f = text.slice(close + 2).split(' ');
  const at = (field: number): number => Number(f[field - 3]);
  return { pgrp: at(5), ticks: at(14) + at(15) + at(16) + at(17), rssPages: at(24) };
}

/**
 * One pass over /proc summing every process whose group is in `groups`. One scan serves all
 * containers of a node; a few hundred small procfs reads take well under a millisecond each pass.
 */
export function sampleGroups(
  groups: Iterable<number>,
  clockTicks = defaultClockTicks,
): Map<number, GroupSample> {
  const wanted = new Set(groups);
  const out = new Map<number, GroupSample>();
  if (wanted.size === 0) return out;
  const time = Date.now();
  const totals = new Map<number, { ticks: number; pages: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: StatFields | undefined;
    try {
      stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'latin1'));
    } catch {
      continue; // exited between readdir and read
    }
    if (!stat || !wanted.has(stat.pgrp)) continue;
    const t = totals.get(stat.pgrp) ?? { ticks: 0, pages: 0 };
    t.ticks += stat.ticks;
    t.pages += stat.rssPages;
    totals.set(stat.pgrp, t);
  }
  const page = pageBytes();
  for (const [group, t] of totals) {
    out.set(group, { time, cpuSeconds: t.ticks / clockTicks, rssBytes: t.pages * page });
  }
  return out;
}

/** Samples of one container instance, trimmed to what the usage window needs. */
export class UsageSeries {
  private samples: GroupSample[] = [];

  constructor(private readonly windowMs: number) {}

  add(sample: GroupSample): void {
    this.samples.push(sample);
    // Keep one sample at or before the window start so the window is always fully covered.
    const start = sample.time - this.windowMs;
    while (this.samples.length > 2 && (this.samples[1]?.time ?? Infinity) <= start) this.samples.shift();
  }

  latest(): GroupSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** Millicores over (at most) the window, or undefined until two samples exist. */
  millicores(): { value: number; windowMs: number } | undefined {
    const last = this.latest();
    const first = this.samples[0];
    if (!last || !first || last.time <= first.time) return undefined;
    const windowMs = last.time - first.time;
    return { value: Math.max(0, ((last.cpuSeconds - first.cpuSeconds) * 1e6) / windowMs), windowMs };
  }
}

/**
 * The floor of any paced HTTP client in Node on this machine: one keep-alive socket, raw request
 * bytes written at their due times with the same timer strategy as the native engine, responses
 * counted but not parsed, no metrics. What the native engine costs above this is its own overhead;
 * what this costs is the price of waking up for every request.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createHistogram, percentileMs, recordMs } from '../../lib/metrics/histogram.ts';

export interface FloorRun {
  readonly sent: number;
  readonly received: number;
  readonly cpuPer1k: number;
  readonly lagP50: number | null;
  readonly lagP99: number | null;
}

export async function runPacedFloor(
  url: string,
  rate: number,
  durationS: number,
  skipS = 1,
): Promise<FloorRun> {
  const { hostname, port } = new URL(url);
  const sock = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  sock.setNoDelay(true);
  let received = 0;
  sock.on('data', (b: Buffer) => {
    for (let i = b.indexOf('HTTP/1.1 '); i !== -1; i = b.indexOf('HTTP/1.1 ', i + 9)) received++;
  });
  const req = Buffer.from(`GET / HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  const total = Math.floor(rate * durationS);
  const skip = Math.floor(rate * skipS);
  const interval = 1000 / rate;
  const lag = createHistogram();
  const t0 = performance.now();
  let sent = 0;
  let cpu0: NodeJS.CpuUsage | null = null;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * interval <= now) {
        sock.write(req);
        recordMs(lag, now - (t0 + sent * interval));
        if (++sent === skip) cpu0 = process.cpuUsage();
      }
      if (sent >= total) return resolve();
      const delay = t0 + sent * interval - performance.now();
      setTimeout(tick, delay >= 2 ? Math.floor(delay) : 1);
    };
    tick();
  });
  const deadline = performance.now() + 2000;
  while (received < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const cpu = process.cpuUsage(cpu0 ?? undefined);
  sock.destroy();
  return {
    sent,
    received,
    cpuPer1k: (cpu.user + cpu.system) / 1e6 / ((sent - skip) / 1000),
    lagP50: percentileMs(lag, 50),
    lagP99: percentileMs(lag, 99),
  };
}

/**
 * Benchmark target, run as its own process so its CPU never counts as the generator's.
 *   tsx bench/support/target-server.ts [--stall-anchor <epoch ms>] [--stall-every <ms>] [--stall-for <ms>]
 * Answers 200 "ok" at once. With a stall anchor A, a request arriving during
 * [A + k·every, A + k·every + for) for k ≥ 1 is held until that window ends. Prints
 * {"port":N} on stdout once listening; exits on SIGTERM or when stdin closes.
 * GET /__stats returns (and resets) how evenly requests arrived: the busiest 10 ms slot's count
 * over the mean per slot, so a generator that sends in bursts shows up.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'stall-anchor': { type: 'string' },
    'stall-every': { type: 'string', default: '5000' },
    'stall-for': { type: 'string', default: '1000' },
  },
});
const anchor = values['stall-anchor'] === undefined ? null : Number(values['stall-anchor']);
const every = Number(values['stall-every']);
const stallFor = Number(values['stall-for']);
const wallNow = () => performance.timeOrigin + performance.now();

const body = Buffer.from('ok');
const headers = { 'content-type': 'text/plain', 'content-length': String(body.length) };
const respond = (res: ServerResponse) => res.writeHead(200, headers).end(body);

/** ms until the current stall window ends, or 0 outside any. */
function heldFor(now: number): number {
  if (anchor === null) return 0;
  const since = now - anchor;
  if (since < every) return 0;
  const into = since % every;
  return into < stallFor ? stallFor - into : 0;
}

const kSlotMs = 10;
const kMaxSlots = 200_000;
let firstSlot = -1;
let slots = new Uint32Array(0);
function countArrival(now: number): void {
  const slot = Math.floor(now / kSlotMs);
  if (firstSlot < 0) {
    firstSlot = slot;
    slots = new Uint32Array(1024);
  }
  const i = slot - firstSlot;
  if (i >= kMaxSlots) return;
  if (i >= slots.length) {
    const grown = new Uint32Array(Math.min(kMaxSlots, Math.max(i + 1, slots.length * 2)));
    grown.set(slots);
    slots = grown;
  }
  slots[i]!++;
}
function arrivalStats(): { requests: number; slots: number; peakToMean: number | null } {
  let last = -1;
  let total = 0;
  let peak = 0;
  for (let i = 0; i < slots.length; i++) {
    const n = slots[i]!;
    if (n > 0) last = i;
    total += n;
    if (n > peak) peak = n;
  }
  const used = last + 1;
  firstSlot = -1;
  slots = new Uint32Array(0);
  return { requests: total, slots: used, peakToMean: used > 0 ? peak / (total / used) : null };
}

const server = createServer((req, res) => {
  const now = wallNow();
  if (req.url === '/__stats') {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(arrivalStats()));
    return;
  }
  countArrival(now);
  const hold = heldFor(now);
  req.resume();
  if (hold > 0) setTimeout(respond, hold, res);
  else respond(res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();

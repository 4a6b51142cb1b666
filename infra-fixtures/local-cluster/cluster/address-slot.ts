/**
 * Address blocks for concurrent local clusters on one machine. Pod addresses are derived from node
 * addresses (127.0.X.n → pods 127.X.n.0/24) and pods bind their manifest's containerPort, so two
 * clusters with the same node addresses would fight over 127.1.1.2:8080. Each cluster takes one of
 * nine blocks of 26 zone indices (X = slot × 26 + zone + 1, at most 234 + 26 ≤ 255) through an
 * exclusive lock file naming its PID; a lock whose PID is gone is stale and taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const kAddressSlots = 9;
const lockDir = path.join(tmpdir(), 'gauntlet-local-cluster-slots');

export interface AddressSlot {
  readonly slot: number;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(slot: number): boolean {
  const file = path.join(lockDir, `slot-${slot}.lock`);
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const owner = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
  // Stale: its process is gone. Remove and race for it like a fresh slot.
  rmSync(file, { force: true });
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/** Takes a free block (or the one asked for); throws when every block is in use. */
export function acquireAddressSlot(wanted?: number): AddressSlot {
  mkdirSync(lockDir, { recursive: true });
  const order = wanted === undefined ? [...Array(kAddressSlots).keys()] : [wanted];
  for (const slot of order) {
    if (!tryTake(slot)) continue;
    let released = false;
    return {
      slot,
      release() {
        if (released) return;
        released = true;
        rmSync(path.join(lockDir, `slot-${slot}.lock`), { force: true });
      },
    };
  }
  throw new Error(
    wanted === undefined
      ? `local-cluster: all ${kAddressSlots} address blocks are in use by running local clusters (locks in ${lockDir}); stop one with 'gauntlet local down'`
      : `local-cluster: address block ${wanted} is in use by another running local cluster (lock in ${lockDir})`,
  );
}

/**
 * Change history and watcher fan-out. Every committed change lands in a bounded ring (so a
 * watch can resume from a resourceVersion) and is delivered to watchers in resourceVersion order,
 * even when a watcher reacts by writing to the store (those writes are queued, not nested).
 */
import { errors } from './errors.ts';
import type { StorageName } from './registry.ts';
import type { StoredObject, WatchEvent } from './types.ts';

export interface ChangeEntry {
  rv: number;
  storage: StorageName;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
  /** The state before a MODIFIED change, to turn selector transitions into ADDED/DELETED. */
  prev?: StoredObject;
}

export interface WatchFilter {
  storage: StorageName;
  matches(obj: StoredObject): boolean;
}

interface Watcher {
  filter: WatchFilter;
  handler: (event: WatchEvent) => void;
  /** Entries at or below this RV were already covered by replay or the initial listing. */
  fromRv: number;
  stopped: boolean;
}

export class WatchHub {
  private readonly _history: ChangeEntry[] = [];
  private readonly _watchers = new Set<Watcher>();
  private readonly _queue: ChangeEntry[] = [];
  private _dispatching = false;
  /** Highest RV that fell out of the history; resuming from below it is a 410. */
  private _compactedRv = 0;
  private readonly _limit: number;
  private readonly _onHandlerError: (err: unknown) => void;

  constructor(limit: number, onHandlerError: (err: unknown) => void) {
    this._limit = Math.max(100, limit);
    this._onHandlerError = onHandlerError;
  }

  get compactedRv(): number {
    return this._compactedRv;
  }

  get watcherCount(): number {
    return this._watchers.size;
  }

  record(entry: ChangeEntry): void {
    this._history.push(entry);
    if (this._history.length > this._limit * 1.1) {
      const dropped = this._history.splice(0, this._history.length - this._limit);
      this._compactedRv = dropped[dropped.length - 1]!.rv;
    }
    this._queue.push(entry);
    if (this._dispatching) return;
    this._dispatching = true;
    try {
      for (let e = this._queue.shift(); e; e = this._queue.shift()) {
        for (const w of [...this._watchers]) this._deliver(w, e);
      }
    } finally {
      this._dispatching = false;
    }
  }

  /**
   * Registers a watcher. `replayAfter` replays retained history newer than that RV first;
   * `initial` objects are delivered as ADDED first instead. Both happen before this returns.
   */
  subscribe(
    filter: WatchFilter,
    handler: (event: WatchEvent) => void,
    currentRv: number,
    start: { replayAfter: number } | { initial: readonly StoredObject[] },
  ): () => void {
    const watcher: Watcher = { filter, handler, fromRv: currentRv, stopped: false };
    if ('replayAfter' in start) {
      if (start.replayAfter < this._compactedRv) {
        throw errors.expired(`too old resource version: ${start.replayAfter} (${this._compactedRv + 1})`);
      }
      const from = this._firstIndexAfter(start.replayAfter);
      for (let i = from; i < this._history.length; i++) {
        const e = this._history[i]!;
        if (e.rv > currentRv) break;
        this._emit(watcher, e);
      }
    } else {
      for (const obj of start.initial) this._safeCall(watcher, { type: 'ADDED', object: obj });
    }
    this._watchers.add(watcher);
    return () => {
      watcher.stopped = true;
      this._watchers.delete(watcher);
    };
  }

  private _firstIndexAfter(rv: number): number {
    let lo = 0;
    let hi = this._history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this._history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private _deliver(w: Watcher, e: ChangeEntry): void {
    if (w.stopped || e.rv <= w.fromRv) return;
    this._emit(w, e);
  }

  private _emit(w: Watcher, e: ChangeEntry): void {
    if (e.storage !== w.filter.storage) return;
    const now = w.filter.matches(e.object);
    if (e.type === 'MODIFIED') {
      const before = e.prev ? w.filter.matches(e.prev) : false;
      if (before && now) this._safeCall(w, { type: 'MODIFIED', object: e.object });
      else if (!before && now) this._safeCall(w, { type: 'ADDED', object: e.object });
      else if (before && !now) this._safeCall(w, { type: 'DELETED', object: e.object });
    } else if (now) this._safeCall(w, { type: e.type, object: e.object });
  }

  private _safeCall(w: Watcher, event: WatchEvent): void {
    if (w.stopped) return;
    try {
      w.handler(event);
    } catch (err) {
      this._onHandlerError(err);
    }
  }
}

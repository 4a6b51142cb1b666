/**
 * A bounded least-recently-used store, so memory stays flat however long the app is loaded. A Map
 * keeps insertion order; re-inserting on read moves an entry to the young end.
 */

export const defaultStoreCapacity = 10_000;

export class LruStore<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly capacity: number = defaultStoreCapacity) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

/** The `onlyKey` of a `SmallMap` without an entry. No caller's key is this symbol. */
const NO_KEY: unique symbol = Symbol("no key");

/**
 * A map that stores its only entry in two fields and creates a `Map` at the second key. Most
 * accounts and local programs send from one host and one client address, with one envelope
 * sender, to one provider, and most deferred messages wait for one recipient. A heap snapshot
 * of Node 20 shows about 190 bytes for an empty `Map`, so 50,000 accounts with five such maps
 * each would need about 48 MB for them. Iterating a map of one entry creates a short-lived
 * `Map`, which suits the report phase that iterates.
 */
export class SmallMap<K, V> implements ReadonlyMap<K, V> {
  private onlyKey: K | typeof NO_KEY = NO_KEY;
  private onlyValue: V | undefined = undefined;
  private entriesMap: Map<K, V> | null = null;

  get size(): number {
    if (this.entriesMap !== null) return this.entriesMap.size;
    return this.onlyKey === NO_KEY ? 0 : 1;
  }

  get(key: K): V | undefined {
    if (this.entriesMap !== null) return this.entriesMap.get(key);
    return this.onlyKey === key ? this.onlyValue : undefined;
  }

  has(key: K): boolean {
    if (this.entriesMap !== null) return this.entriesMap.has(key);
    return this.onlyKey === key;
  }

  /** Returns the value of the first key in insertion order, without creating a `Map`. */
  firstValue(): V | undefined {
    if (this.entriesMap !== null) return this.entriesMap.values().next().value;
    return this.onlyValue;
  }

  /** Sets the value of `key`, as `Map.prototype.set` does, keeping the insertion order. */
  set(key: K, value: V): this {
    if (this.entriesMap !== null) {
      this.entriesMap.set(key, value);
    } else if (this.onlyKey === NO_KEY || this.onlyKey === key) {
      this.onlyKey = key;
      this.onlyValue = value;
    } else {
      this.entriesMap = new Map([[this.onlyKey, this.onlyValue as V]]);
      this.entriesMap.set(key, value);
      this.onlyKey = NO_KEY;
      this.onlyValue = undefined;
    }
    return this;
  }

  /** Removes `key`, as `Map.prototype.delete` does, and returns true when it was there. */
  delete(key: K): boolean {
    if (this.entriesMap !== null) return this.entriesMap.delete(key);
    if (this.onlyKey !== key) return false;
    this.onlyKey = NO_KEY;
    this.onlyValue = undefined;
    return true;
  }

  forEach(visit: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    this.asMap().forEach((value, key) => visit(value, key, this));
  }

  entries(): MapIterator<[K, V]> {
    return this.asMap().entries();
  }

  keys(): MapIterator<K> {
    return this.asMap().keys();
  }

  values(): MapIterator<V> {
    return this.asMap().values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.asMap().entries();
  }

  // The entries as a `Map`: the stored one past the first key, else a new one.
  private asMap(): ReadonlyMap<K, V> {
    if (this.entriesMap !== null) return this.entriesMap;
    if (this.onlyKey === NO_KEY) return new Map<K, V>();
    return new Map([[this.onlyKey, this.onlyValue as V]]);
  }
}

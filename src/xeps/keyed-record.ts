/**
 * Plain-object maps keyed by strings that come from the network (JIDs, caps `ver`s), so that
 * context stays serialisable data. Keys are defined, never assigned: a key such as `__proto__`
 * stays an ordinary key instead of changing the object's prototype.
 */

export function has(record: object, key: string): boolean {
  return Object.hasOwn(record, key);
}

export function lookup<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets `key` on a record being built (mutates it). */
export function define<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy without `key`, or the same record when it has no such key. */
export function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!has(record, key)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

/**
 * A copy with `key` set to `value`; a new key goes last, and the oldest entries go once `max` is
 * passed. The same record comes back when `key` already holds `value`, so an unchanged entry costs
 * no copy. (A computed key in a literal defines an own property, even for `__proto__`; avoiding
 * `delete` on this path keeps the objects in V8's fast mode, which spreads cheaply.)
 */
export function withEntry<T>(record: Record<string, T>, key: string, value: T, max = Infinity): Record<string, T> {
  if (has(record, key)) return record[key] === value ? record : { ...record, [key]: value };
  const next = { ...record, [key]: value };
  if (max !== Infinity) {
    const keys = Object.keys(next);
    for (let i = 0; i < keys.length - max; i++) delete next[keys[i]!];
  }
  return next;
}

/**
 * Many changes to one record at the cost of a single copy: the copy is made on the first write,
 * then written in place (a batch of presences updates a 5,000-entry record once, not 5,000 times).
 * Like `withEntry`, a new key goes last and the oldest go once `max` is passed.
 */
export class RecordDraft<T> {
  private copy: Record<string, T> | undefined;
  private size = 0;

  constructor(
    private readonly base: Record<string, T>,
    private readonly max = Infinity,
  ) {}

  get(key: string): T | undefined {
    return lookup(this.copy ?? this.base, key);
  }

  has(key: string): boolean {
    return has(this.copy ?? this.base, key);
  }

  set(key: string, value: T): void {
    if (this.get(key) === value && this.has(key)) return;
    const record = this.writable();
    if (has(record, key)) {
      record[key] = value;
      return;
    }
    // Plain assignment keeps the copy cheap to spread again; only `__proto__` needs defining.
    if (key === '__proto__') define(record, key, value);
    else record[key] = value;
    this.size++;
    while (this.size > this.max) {
      for (const oldest in record) {
        delete record[oldest];
        break;
      }
      this.size--;
    }
  }

  delete(key: string): void {
    if (!this.has(key)) return;
    delete this.writable()[key];
    this.size--;
  }

  /** The record with every change, or the original when nothing changed. */
  result(): Record<string, T> {
    return this.copy ?? this.base;
  }

  private writable(): Record<string, T> {
    if (this.copy === undefined) {
      this.copy = { ...this.base };
      this.size = Object.keys(this.copy).length;
    }
    return this.copy;
  }
}

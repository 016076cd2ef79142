/**
 * An append-mostly, immutable list of items keyed by a stable id (XEP-0359 stanza-id/origin-id),
 * whose append cost does not grow with history: items live in fixed-size shared chunks, so an
 * append copies at most one chunk, never the whole history, and older snapshots stay valid.
 * Scrollback grows it at the front (`prepend`) at the same cost.
 *
 * The id index is shared between the versions of one history: it maps an id to a sequence
 * number, and a version only trusts the numbers in its own range. Growing an older version (a
 * fork, which actor updates never do) rebuilds the index once for the new branch.
 */

/** Messages a conversation or room keeps in memory unless the app says otherwise (see `keepNewest`). */
export const DEFAULT_MESSAGES_IN_MEMORY = 10_000;

/** Items per shared chunk; an append copies at most this many references. */
export const CHUNK_SIZE = 64;

export interface Keyed {
  readonly id: string;
}

const INDEX = Symbol('message-store index');

/**
 * The id index shared by the versions of one history. It maps an id to a sequence number:
 * appended items count up from `high`, prepended ones down from `low`, so neither kind of growth
 * moves an existing entry. A version's position `p` is sequence number `base + p`.
 */
interface SharedIndex {
  sequence: Map<string, number>;
  /** The sequence range of the newest version this index describes: only that version may grow it. */
  low: number;
  high: number;
}

interface VersionIndex {
  shared: SharedIndex;
  /** The sequence number of this version's first item. */
  base: number;
}

export interface MessageStore<T extends Keyed> {
  /** Older items added in front (scrollback), fewer than CHUNK_SIZE, oldest first. */
  readonly head: readonly T[];
  /** Full chunks, oldest first, each with exactly CHUNK_SIZE items, shared between versions. */
  readonly chunks: readonly (readonly T[])[];
  /** The last, partly filled chunk. */
  readonly tail: readonly T[];
  readonly size: number;
  /** Not enumerable, not serialised: snapshots and the inspector see only the items. */
  readonly [INDEX]?: VersionIndex;
}

const EMPTY: readonly never[] = [];

// Shared chunks are never written to again: `readonly` says so to the compiler, but nothing is
// `Object.freeze`d at run time. The Stately browser inspector's serializer cuts deep or wide data by
// writing a marker into the objects it walks (and restoring them): on a frozen one that write threw
// and left a live client's snapshots half rewritten.
function withIndex<T extends Keyed>(store: Omit<MessageStore<T>, typeof INDEX>, index: VersionIndex): MessageStore<T> {
  Object.defineProperty(store, INDEX, { value: index, enumerable: false });
  return store as MessageStore<T>;
}

export function emptyStore<T extends Keyed>(): MessageStore<T> {
  return withIndex<T>({ head: EMPTY, chunks: EMPTY, tail: EMPTY, size: 0 }, { shared: { sequence: new Map(), low: 0, high: 0 }, base: 0 });
}

/** Whether this version is the newest of its shared index (so it may use and grow it). */
function isHeadVersion(index: VersionIndex | undefined, size: number): index is VersionIndex {
  return index !== undefined && index.shared.low === index.base && index.shared.high === index.base + size;
}

/** The index this version may read and grow: the shared one, or a new one for a fork. */
function indexOf<T extends Keyed>(store: MessageStore<T>): VersionIndex {
  const own = store[INDEX];
  if (isHeadVersion(own, store.size)) return own;
  // A fork (or a store that came back from serialisation): index this branch on its own.
  const sequence = new Map<string, number>();
  let position = 0;
  for (const item of iterate(store)) sequence.set(item.id, position++);
  return { shared: { sequence, low: 0, high: store.size }, base: 0 };
}

/** Position of `id` in this version, or -1. */
export function positionOf<T extends Keyed>(store: MessageStore<T>, id: string): number {
  const index = store[INDEX] ?? indexOf(store);
  const sequence = index.shared.sequence.get(id);
  if (sequence === undefined) return -1;
  const position = sequence - index.base;
  return position >= 0 && position < store.size ? position : -1;
}

export function has<T extends Keyed>(store: MessageStore<T>, id: string): boolean {
  return positionOf(store, id) !== -1;
}

export function at<T extends Keyed>(store: MessageStore<T>, position: number): T | undefined {
  if (!Number.isInteger(position) || position < 0 || position >= store.size) return undefined;
  const { head, chunks } = store;
  if (position < head.length) return head[position];
  const offset = position - head.length;
  const chunk = Math.floor(offset / CHUNK_SIZE);
  return chunk < chunks.length ? chunks[chunk]![offset % CHUNK_SIZE] : store.tail[offset - chunks.length * CHUNK_SIZE];
}

export function get<T extends Keyed>(store: MessageStore<T>, id: string): T | undefined {
  const position = positionOf(store, id);
  return position === -1 ? undefined : at(store, position);
}

/** The newest item, if any. */
export function newest<T extends Keyed>(store: MessageStore<T>): T | undefined {
  return at(store, store.size - 1);
}

/** The oldest item, if any. */
export function oldest<T extends Keyed>(store: MessageStore<T>): T | undefined {
  return at(store, 0);
}

/** `items` without the ids already in `index` (within this version) and without repeats. */
function unseen<T extends Keyed>(index: VersionIndex, size: number, items: readonly T[]): T[] {
  const fresh: T[] = [];
  const taken = new Set<string>();
  for (const item of items) {
    const known = index.shared.sequence.get(item.id);
    if ((known !== undefined && known >= index.base && known < index.base + size) || taken.has(item.id)) continue;
    taken.add(item.id);
    fresh.push(item);
  }
  return fresh;
}

/**
 * Appends the items whose id is not in the store yet (duplicates within `items` too), in order.
 * Returns the same store when nothing was new, so "no change" costs no new snapshot.
 */
export function append<T extends Keyed>(store: MessageStore<T>, ...items: T[]): MessageStore<T> {
  const index = indexOf(store);
  const { sequence } = index.shared;
  let chunks = store.chunks;
  let tail = [...store.tail];
  let size = store.size;
  for (const item of items) {
    const known = sequence.get(item.id);
    if (known !== undefined && known >= index.base && known < index.base + size) continue;
    sequence.set(item.id, index.base + size);
    tail.push(item);
    size++;
    if (tail.length === CHUNK_SIZE) {
      chunks = [...chunks, tail];
      tail = [];
    }
  }
  if (size === store.size) return store;
  index.shared.high = index.base + size;
  return withIndex<T>({ head: store.head, chunks, tail, size }, index);
}

/**
 * Puts the items whose id is not in the store yet in front of the oldest one, in the given order
 * (a scrollback page, oldest first). Copies the head and the chunk list, never the history.
 */
export function prepend<T extends Keyed>(store: MessageStore<T>, items: readonly T[]): MessageStore<T> {
  const index = indexOf(store);
  const fresh = unseen(index, store.size, items);
  if (fresh.length === 0) return store;
  const base = index.base - fresh.length;
  fresh.forEach((item, i) => index.shared.sequence.set(item.id, base + i));
  index.shared.low = base;
  // Full chunks are cut from the end of the new run, next to the existing chunks; the rest is the head.
  const run = [...fresh, ...store.head];
  const headLength = run.length % CHUNK_SIZE;
  const front: (readonly T[])[] = [];
  for (let start = headLength; start < run.length; start += CHUNK_SIZE) front.push(run.slice(start, start + CHUNK_SIZE));
  const chunks = front.length === 0 ? store.chunks : [...front, ...store.chunks];
  return withIndex<T>(
    { head: run.slice(0, headLength), chunks, tail: store.tail, size: store.size + fresh.length },
    { shared: index.shared, base },
  );
}

/**
 * Inserts the items whose id is not in the store yet before `position` (0..size), in order.
 * Inserting at the end is an append; anywhere else the store is rebuilt (O(size), with a new
 * index), which callers keep for rare cases such as archived messages that belong before a few
 * live ones.
 */
export function insertAt<T extends Keyed>(store: MessageStore<T>, position: number, items: readonly T[]): MessageStore<T> {
  if (!Number.isInteger(position) || position < 0 || position > store.size)
    throw new RangeError(`insert position ${position} out of 0..${store.size}`);
  if (position === store.size) return append(store, ...items);
  if (position === 0) return prepend(store, items);
  const fresh = unseen(indexOf(store), store.size, items);
  if (fresh.length === 0) return store;
  const all = toArray(store);
  all.splice(position, 0, ...fresh);
  return append(emptyStore<T>(), ...all);
}

/**
 * Forgets the oldest items once there are more than `max`, a whole chunk (or the head) at a time,
 * so memory stays within `max + CHUNK_SIZE` items and an append still copies no history. The
 * forgotten ids leave the shared index too (it would otherwise grow forever); an older snapshot
 * of the same history then no longer finds them by id, which only a stale view would ask for.
 */
export function keepNewest<T extends Keyed>(store: MessageStore<T>, max: number): MessageStore<T> {
  if (store.size <= max) return store;
  const index = indexOf(store);
  let { head, chunks } = store;
  let dropped = 0;
  const forget = (items: readonly T[]) => {
    for (const item of items) index.shared.sequence.delete(item.id);
    dropped += items.length;
  };
  if (head.length > 0 && store.size - head.length >= max) {
    forget(head);
    head = EMPTY;
  }
  let first = 0;
  while (first < chunks.length && store.size - dropped - CHUNK_SIZE >= max) forget(chunks[first++]!);
  if (dropped === 0) return store;
  if (first > 0) chunks = chunks.slice(first);
  const base = index.base + dropped;
  index.shared.low = base;
  return withIndex<T>({ head, chunks, tail: store.tail, size: store.size - dropped }, { shared: index.shared, base });
}

/** Replaces the item with `id` (a correction, a state change); copies one chunk. Unknown ids change nothing. */
export function update<T extends Keyed>(store: MessageStore<T>, id: string, change: (item: T) => T): MessageStore<T> {
  const position = positionOf(store, id);
  if (position === -1) return store;
  const current = at(store, position)!;
  const next = change(current);
  if (next === current) return store;
  if (next.id !== id) throw new Error('update must keep the item id');
  const index = store[INDEX] ?? indexOf(store);
  const { head, chunks, tail } = store;
  if (position < head.length) {
    const replaced = [...head];
    replaced[position] = next;
    return withIndex<T>({ head: replaced, chunks, tail, size: store.size }, index);
  }
  const offset = position - head.length;
  const chunk = Math.floor(offset / CHUNK_SIZE);
  if (chunk < chunks.length) {
    const replaced = [...chunks[chunk]!];
    replaced[offset % CHUNK_SIZE] = next;
    const copy = [...chunks];
    copy[chunk] = replaced;
    return withIndex<T>({ head, chunks: copy, tail, size: store.size }, index);
  }
  const replaced = [...tail];
  replaced[offset - chunks.length * CHUNK_SIZE] = next;
  return withIndex<T>({ head, chunks, tail: replaced, size: store.size }, index);
}

export function* iterate<T extends Keyed>(store: MessageStore<T>): Generator<T> {
  yield* store.head;
  for (const chunk of store.chunks) yield* chunk;
  yield* store.tail;
}

/** The last `count` items, oldest first (what a chat view renders). */
export function last<T extends Keyed>(store: MessageStore<T>, count: number): T[] {
  const out: T[] = [];
  for (let position = Math.max(0, store.size - count); position < store.size; position++) out.push(at(store, position)!);
  return out;
}

export function toArray<T extends Keyed>(store: MessageStore<T>): T[] {
  return [...iterate(store)];
}

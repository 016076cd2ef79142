/**
 * An append-mostly, immutable list of items keyed by a stable id (XEP-0359 stanza-id/origin-id),
 * whose append cost does not grow with history: items live in fixed-size frozen chunks, so an
 * append copies at most one chunk, never the whole history, and older snapshots stay valid.
 *
 * The id index is shared between the versions of one history: it maps an id to its position,
 * and a version only trusts positions below its own size. Appending to an older version (a
 * fork, which actor updates never do) rebuilds the index once for the new branch.
 */

/** Items per frozen chunk; an append copies at most this many references. */
export const CHUNK_SIZE = 64;

export interface Keyed {
  readonly id: string;
}

const INDEX = Symbol('message-store index');

interface SharedIndex {
  positions: Map<string, number>;
  /** The size of the newest version this index describes; only that version may extend it. */
  head: number;
}

export interface MessageStore<T extends Keyed> {
  /** Full chunks, oldest first, each frozen with exactly CHUNK_SIZE items. */
  readonly chunks: readonly (readonly T[])[];
  /** The last, partly filled chunk. */
  readonly tail: readonly T[];
  readonly size: number;
  /** Not enumerable, not serialised: snapshots and the inspector see only the items. */
  readonly [INDEX]?: SharedIndex;
}

function freeze<T>(items: T[]): readonly T[] {
  return Object.freeze(items);
}

function withIndex<T extends Keyed>(store: Omit<MessageStore<T>, typeof INDEX>, index: SharedIndex): MessageStore<T> {
  Object.defineProperty(store, INDEX, { value: index, enumerable: false });
  return Object.freeze(store) as MessageStore<T>;
}

export function emptyStore<T extends Keyed>(): MessageStore<T> {
  return withIndex<T>({ chunks: freeze([]), tail: freeze([]), size: 0 }, { positions: new Map(), head: 0 });
}

function indexOf<T extends Keyed>(store: MessageStore<T>): SharedIndex {
  const shared = store[INDEX];
  if (shared && shared.head === store.size) return shared;
  // A fork (or a store that came back from serialisation): index this branch on its own.
  const positions = new Map<string, number>();
  let position = 0;
  for (const item of iterate(store)) positions.set(item.id, position++);
  return { positions, head: store.size };
}

/** Position of `id` in this version, or -1. */
export function positionOf<T extends Keyed>(store: MessageStore<T>, id: string): number {
  const position = (store[INDEX] ?? indexOf(store)).positions.get(id);
  return position !== undefined && position < store.size ? position : -1;
}

export function has<T extends Keyed>(store: MessageStore<T>, id: string): boolean {
  return positionOf(store, id) !== -1;
}

export function at<T extends Keyed>(store: MessageStore<T>, position: number): T | undefined {
  if (!Number.isInteger(position) || position < 0 || position >= store.size) return undefined;
  const chunk = Math.floor(position / CHUNK_SIZE);
  return chunk < store.chunks.length
    ? store.chunks[chunk]![position % CHUNK_SIZE]
    : store.tail[position - store.chunks.length * CHUNK_SIZE];
}

export function get<T extends Keyed>(store: MessageStore<T>, id: string): T | undefined {
  const position = positionOf(store, id);
  return position === -1 ? undefined : at(store, position);
}

/**
 * Appends the items whose id is not in the store yet (duplicates within `items` too), in order.
 * Returns the same store when nothing was new, so "no change" costs no new snapshot.
 */
export function append<T extends Keyed>(store: MessageStore<T>, ...items: T[]): MessageStore<T> {
  const index = indexOf(store);
  let chunks = store.chunks;
  let tail = [...store.tail];
  let size = store.size;
  let added = 0;
  for (const item of items) {
    const known = index.positions.get(item.id);
    if (known !== undefined && known < size) continue;
    index.positions.set(item.id, size);
    tail.push(item);
    size++;
    added++;
    if (tail.length === CHUNK_SIZE) {
      chunks = freeze([...chunks, freeze(tail)]);
      tail = [];
    }
  }
  if (added === 0) return store;
  index.head = size;
  return withIndex<T>({ chunks, tail: freeze(tail), size }, index);
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
  const chunk = Math.floor(position / CHUNK_SIZE);
  if (chunk < store.chunks.length) {
    const replaced = [...store.chunks[chunk]!];
    replaced[position % CHUNK_SIZE] = next;
    const chunks = [...store.chunks];
    chunks[chunk] = freeze(replaced);
    return withIndex<T>({ chunks: freeze(chunks), tail: store.tail, size: store.size }, index);
  }
  const tail = [...store.tail];
  tail[position - store.chunks.length * CHUNK_SIZE] = next;
  return withIndex<T>({ chunks: store.chunks, tail: freeze(tail), size: store.size }, index);
}

export function* iterate<T extends Keyed>(store: MessageStore<T>): Generator<T> {
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

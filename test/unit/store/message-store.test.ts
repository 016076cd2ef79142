import safeStringify from 'fast-safe-stringify';
import { describe, expect, it } from 'vitest';
import {
  append,
  at,
  CHUNK_SIZE,
  emptyStore,
  get,
  has,
  insertAt,
  keepNewest,
  last,
  newest,
  oldest,
  positionOf,
  prepend,
  toArray,
  update,
  type MessageStore,
} from '../../../src/store/message-store.js';

interface Msg {
  id: string;
  body: string;
}

const msg = (n: number, body = `m${n}`): Msg => ({ id: `id-${n}`, body });

function fill(count: number): MessageStore<Msg> {
  let store = emptyStore<Msg>();
  for (let n = 0; n < count; n++) store = append(store, msg(n));
  return store;
}

describe('message store', () => {
  it('keeps items in order across chunk boundaries', () => {
    const store = fill(CHUNK_SIZE * 2 + 3);
    expect(store.size).toBe(CHUNK_SIZE * 2 + 3);
    expect(store.chunks).toHaveLength(2);
    expect(store.tail).toHaveLength(3);
    expect(toArray(store).map((m) => m.body)).toEqual(Array.from({ length: store.size }, (_, n) => `m${n}`));
    expect(at(store, CHUNK_SIZE)?.id).toBe(`id-${CHUNK_SIZE}`);
    expect(last(store, 2).map((m) => m.id)).toEqual([`id-${store.size - 2}`, `id-${store.size - 1}`]);
  });

  it('deduplicates by id, within one call and across calls, and returns the same store when nothing is new', () => {
    const store = append(emptyStore<Msg>(), msg(1), msg(2), msg(1, 'again'));
    expect(toArray(store).map((m) => m.body)).toEqual(['m1', 'm2']);
    expect(append(store, msg(2, 'carbon copy'))).toBe(store);
  });

  it('never copies full chunks on append: they are shared', () => {
    const before = fill(CHUNK_SIZE + 1);
    const after = append(before, msg(10_000));
    expect(after.chunks[0]).toBe(before.chunks[0]);
  });

  it('survives the Stately browser inspector serializer, which writes markers into deep and wide data and restores them', () => {
    const store = fill(3 * CHUNK_SIZE + 5);
    const before = toArray(store).map((m) => m.id);
    // createBrowserInspector's default: fast-safe-stringify with depth and edge limits of 10.
    const json = safeStringify({ context: { conversation: { messages: store } } }, undefined, 2, { depthLimit: 10, edgesLimit: 10 });
    expect(json).toContain('[...]');
    expect(toArray(store).map((m) => m.id)).toEqual(before);
  });

  it('leaves older versions unchanged (snapshots stay valid)', () => {
    const v1 = fill(10);
    const v2 = append(v1, msg(10));
    expect(v1.size).toBe(10);
    expect(has(v1, 'id-10')).toBe(false);
    expect(has(v2, 'id-10')).toBe(true);
    expect(get(v1, 'id-10')).toBeUndefined();
  });

  it('handles a fork: appending to an older version does not see the other branch', () => {
    const base = fill(5);
    const left = append(base, msg(100));
    const right = append(base, msg(200), msg(100));
    expect(
      toArray(left)
        .map((m) => m.id)
        .slice(5),
    ).toEqual(['id-100']);
    expect(
      toArray(right)
        .map((m) => m.id)
        .slice(5),
    ).toEqual(['id-200', 'id-100']);
    expect(append(left, msg(100))).toBe(left);
  });

  it('updates one item by id, copying only its chunk', () => {
    const store = fill(CHUNK_SIZE * 2 + 1);
    const edited = update(store, 'id-3', (m) => ({ ...m, body: 'corrected' }));
    expect(get(edited, 'id-3')?.body).toBe('corrected');
    expect(get(store, 'id-3')?.body).toBe('m3');
    expect(edited.chunks[1]).toBe(store.chunks[1]);
    expect(update(store, 'unknown', (m) => m)).toBe(store);
    expect(() => update(store, 'id-3', (m) => ({ ...m, id: 'other' }))).toThrow(/keep the item id/);
    const tailEdit = update(store, `id-${CHUNK_SIZE * 2}`, (m) => ({ ...m, body: 'tail' }));
    expect(last(tailEdit, 1)[0]?.body).toBe('tail');
    // The index still serves appends after an update.
    expect(append(edited, msg(3))).toBe(edited);
  });

  it('serialises to plain data only, and works again after a round trip', () => {
    const store = fill(3);
    const json = JSON.parse(JSON.stringify(store)) as MessageStore<Msg>;
    expect(json).toEqual({ head: [], chunks: [], tail: [msg(0), msg(1), msg(2)], size: 3 });
    expect(has(json, 'id-1')).toBe(true);
    expect(append(json, msg(1))).toBe(json);
    expect(append(json, msg(3)).size).toBe(4);
  });

  it('prepends older items in order, dedupes them, and keeps full chunks next to the existing ones', () => {
    const store = fill(CHUNK_SIZE + 5);
    const older = Array.from({ length: CHUNK_SIZE + 10 }, (_, i) => msg(-(CHUNK_SIZE + 10) + i));
    const grown = prepend(store, [...older, msg(0)]);
    expect(grown.size).toBe(store.size + older.length);
    expect(toArray(grown).map((m) => m.id)).toEqual([...older, ...toArray(store)].map((m) => m.id));
    expect(grown.head).toHaveLength(10);
    expect(grown.chunks.every((c) => c.length === CHUNK_SIZE)).toBe(true);
    // The chunks that were there are shared, not copied.
    expect(grown.chunks.at(-1)).toBe(store.chunks.at(-1));
    expect(oldest(grown)).toEqual(older[0]);
    expect(newest(grown)).toEqual(newest(store));
    expect(positionOf(grown, 'id-0')).toBe(older.length);
    expect(positionOf(grown, older[3]!.id)).toBe(3);
    expect(prepend(grown, [msg(1), older[0]!])).toBe(grown);
  });

  it('keeps versions apart across prepends and appends (each trusts its own range only)', () => {
    const store = fill(3);
    const front = prepend(store, [msg(-1)]);
    const both = append(front, msg(3));
    expect(has(store, 'id--1')).toBe(false);
    expect(positionOf(store, 'id-0')).toBe(0);
    expect(positionOf(front, 'id-0')).toBe(1);
    expect(has(front, 'id-3')).toBe(false);
    expect(toArray(both).map((m) => m.id)).toEqual(['id--1', 'id-0', 'id-1', 'id-2', 'id-3']);
    // Growing an older version forks: the newer branch's items are not seen there.
    const fork = prepend(store, [msg(9)]);
    expect(toArray(fork).map((m) => m.id)).toEqual(['id-9', 'id-0', 'id-1', 'id-2']);
    expect(has(fork, 'id--1')).toBe(false);
    expect(has(both, 'id-9')).toBe(false);
  });

  it('updates items in the prepended head', () => {
    const store = prepend(fill(2), [msg(-2), msg(-1)]);
    const edited = update(store, 'id--1', (m) => ({ ...m, body: 'edited' }));
    expect(get(edited, 'id--1')?.body).toBe('edited');
    expect(get(store, 'id--1')?.body).toBe('m-1');
    expect(edited.tail).toBe(store.tail);
  });

  it('inserts in the middle, at the front and at the end, skipping known ids', () => {
    const store = fill(5);
    const middle = insertAt(store, 2, [msg(10), msg(3), msg(11)]);
    expect(toArray(middle).map((m) => m.id)).toEqual(['id-0', 'id-1', 'id-10', 'id-11', 'id-2', 'id-3', 'id-4']);
    expect(positionOf(middle, 'id-4')).toBe(6);
    expect(toArray(store).map((m) => m.id)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    expect(positionOf(store, 'id-4')).toBe(4);
    expect(toArray(insertAt(store, 0, [msg(7)]))[0]?.id).toBe('id-7');
    expect(newest(insertAt(store, 5, [msg(8)]))?.id).toBe('id-8');
    expect(insertAt(store, 3, [msg(1)])).toBe(store);
    expect(() => insertAt(store, 6, [msg(9)])).toThrow(RangeError);
  });

  it('forgets the oldest items past a limit, a chunk at a time, and keeps working by id and position', () => {
    const store = fill(5 * CHUNK_SIZE + 10);
    expect(keepNewest(store, 10 * CHUNK_SIZE)).toBe(store);
    const kept = keepNewest(store, 2 * CHUNK_SIZE);
    // Three whole chunks go; what stays is between the limit and the limit plus one chunk.
    expect(kept.size).toBe(2 * CHUNK_SIZE + 10);
    expect(oldest(kept)?.id).toBe(`id-${3 * CHUNK_SIZE}`);
    expect(has(kept, 'id-0')).toBe(false);
    expect(positionOf(kept, `id-${3 * CHUNK_SIZE + 1}`)).toBe(1);
    // A forgotten id is new again (scrollback may bring it back from the archive).
    const grown = append(kept, msg(10_000));
    expect(newest(grown)?.id).toBe('id-10000');
    expect(positionOf(grown, 'id-10000')).toBe(grown.size - 1);
    expect(toArray(prepend(grown, [msg(0)]))[0]?.id).toBe('id-0');
  });

  it('forgets a prepended head before any chunk, and never goes below the limit', () => {
    const store = prepend(fill(2 * CHUNK_SIZE), [msg(-2), msg(-1)]);
    expect(store.head.length).toBe(2);
    const kept = keepNewest(store, CHUNK_SIZE);
    expect(kept.size).toBe(CHUNK_SIZE);
    expect(oldest(kept)?.id).toBe(`id-${CHUNK_SIZE}`);
    expect(keepNewest(store, 2 * CHUNK_SIZE + 1)).toBe(store);
    expect(at(keepNewest(store, 2 * CHUNK_SIZE), 0)?.id).toBe('id-0');
  });
});

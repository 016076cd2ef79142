/**
 * Hands routed events to feature actors. Features that take batches (`FeatureModule.batches`)
 * collect their events until a feature that does not take batches is due, or the socket read
 * ends; then each gets them as one `{ type: '<id>.batch', events }`, in its own wire order and in
 * the order the features were first due. So a read full of chat messages, or a roster's worth of
 * presences that each go to presence and caps, costs each of those features one transition
 * instead of one per stanza. A feature that does not batch first flushes everything pending, so
 * it sees the world exactly as the stanzas before it left it; batching features promise not to
 * depend on each other's order within one read.
 */
export function createOutbox<TRef>(send: (to: TRef, event: { type: string }) => void, batching: ReadonlySet<string>) {
  const pending = new Map<string, { to: TRef; events: { type: string }[] }>();
  const flush = () => {
    if (pending.size === 0) return;
    const runs = [...pending];
    pending.clear();
    for (const [id, { to, events }] of runs) {
      send(to, events.length === 1 ? events[0]! : ({ type: `${id}.batch`, events } as { type: string }));
    }
  };
  return {
    deliver(id: string, to: TRef, event: { type: string }): void {
      if (!batching.has(id)) {
        flush();
        send(to, event);
        return;
      }
      const run = pending.get(id);
      if (run) run.events.push(event);
      else pending.set(id, { to, events: [event] });
    },
    flush,
  };
}

export type Outbox<TRef> = ReturnType<typeof createOutbox<TRef>>;

/**
 * Hands routed events to feature actors in wire order. Consecutive events for one feature that
 * takes batches (`FeatureModule.batches`) go as a single `{ type: '<id>.batch', events }`, so a
 * socket read full of chat messages costs that feature one transition instead of one per message.
 * Any other delivery first flushes the pending batch, so no feature sees events out of order.
 */
export function createOutbox<TRef>(send: (to: TRef, event: { type: string }) => void, batching: ReadonlySet<string>) {
  let run: { id: string; to: TRef; events: { type: string }[] } | undefined;
  const flush = () => {
    if (!run) return;
    const { id, to, events } = run;
    run = undefined;
    send(to, events.length === 1 ? events[0]! : ({ type: `${id}.batch`, events } as { type: string }));
  };
  return {
    deliver(id: string, to: TRef, event: { type: string }): void {
      if (!batching.has(id)) {
        flush();
        send(to, event);
        return;
      }
      if (run && run.id !== id) flush();
      run ??= { id, to, events: [] };
      run.events.push(event);
    },
    flush,
  };
}

export type Outbox<TRef> = ReturnType<typeof createOutbox<TRef>>;

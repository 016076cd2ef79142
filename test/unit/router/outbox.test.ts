import { describe, expect, it } from 'vitest';
import { createOutbox } from '../../../src/router/outbox.js';

describe('outbox', () => {
  it('batches consecutive events of a batching feature and keeps wire order across features', () => {
    const sent: Array<[string, unknown]> = [];
    const outbox = createOutbox<string>((to, event) => sent.push([to, event]), new Set(['chat']));
    const m = (n: number) => ({ type: 'chat.message', n });
    outbox.deliver('chat', 'chat-ref', m(1));
    outbox.deliver('chat', 'chat-ref', m(2));
    outbox.deliver('presence', 'presence-ref', { type: 'presence.available' });
    outbox.deliver('chat', 'chat-ref', m(3));
    outbox.flush();
    outbox.flush();
    expect(sent).toEqual([
      ['chat-ref', { type: 'chat.batch', events: [m(1), m(2)] }],
      ['presence-ref', { type: 'presence.available' }],
      // A run of one goes as the plain event.
      ['chat-ref', m(3)],
    ]);
  });
});

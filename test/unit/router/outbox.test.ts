import { describe, expect, it } from 'vitest';
import { createOutbox } from '../../../src/router/outbox.js';

describe('outbox', () => {
  it('batches the events of batching features and keeps wire order around the others', () => {
    const sent: Array<[string, unknown]> = [];
    const outbox = createOutbox<string>((to, event) => sent.push([to, event]), new Set(['chat']));
    const m = (n: number) => ({ type: 'chat.message', n });
    outbox.deliver('chat', 'chat-ref', m(1));
    outbox.deliver('chat', 'chat-ref', m(2));
    outbox.deliver('roster', 'roster-ref', { type: 'roster.push' });
    outbox.deliver('chat', 'chat-ref', m(3));
    outbox.flush();
    outbox.flush();
    expect(sent).toEqual([
      ['chat-ref', { type: 'chat.batch', events: [m(1), m(2)] }],
      ['roster-ref', { type: 'roster.push' }],
      // A run of one goes as the plain event.
      ['chat-ref', m(3)],
    ]);
  });

  it('lets interleaved batching features each collect their own events (a presence goes to presence and caps)', () => {
    const sent: Array<[string, unknown]> = [];
    const outbox = createOutbox<string>((to, event) => sent.push([to, event]), new Set(['presence', 'caps']));
    const p = (n: number) => ({ type: 'presence.available', n });
    const c = (n: number) => ({ type: 'caps.announced', n });
    for (const n of [1, 2, 3]) {
      outbox.deliver('presence', 'presence-ref', p(n));
      outbox.deliver('caps', 'caps-ref', c(n));
    }
    outbox.flush();
    expect(sent).toEqual([
      ['presence-ref', { type: 'presence.batch', events: [p(1), p(2), p(3)] }],
      ['caps-ref', { type: 'caps.batch', events: [c(1), c(2), c(3)] }],
    ]);
  });
});

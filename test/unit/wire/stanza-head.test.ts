import { xml } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { serializeStanza } from '../../../src/wire/serialize.js';
import { iqHead, sentMessageOf, worthResending } from '../../../src/wire/stanza-head.js';

const serialized = (el: ReturnType<typeof xml>) => serializeStanza(el);

describe('what a new session resends', () => {
  const pending = new Set(['still-waiting']);
  const isPending = (id: string) => pending.has(id);

  it('reads type and id off a serialized IQ, and nothing off other stanzas', () => {
    expect(iqHead(serialized(xml('iq', { type: 'set', id: 'a"b' }, xml('query', { xmlns: 'jabber:iq:roster' }))))).toEqual({
      type: 'set',
      id: 'a"b',
      to: undefined,
    });
    expect(iqHead(serialized(xml('message', { id: 'm1', to: 'bob@example.org' })))).toBeUndefined();
    expect(iqHead(`<iq type='get' id='single' to='example.org'/>`)).toEqual({ type: 'get', id: 'single', to: 'example.org' });
  });

  it('reads id and recipient off a serialized message only', () => {
    expect(sentMessageOf(serialized(xml('message', { to: 'bob@example.org', id: 'a&amp;b' }, xml('body', {}, 'hi'))))).toEqual({
      id: 'a&amp;b',
      to: 'bob@example.org',
    });
    expect(sentMessageOf(serialized(xml('message', { to: 'bob@example.org' })))).toBeUndefined();
    expect(sentMessageOf(serialized(xml('message', { id: 'x' })))).toBeUndefined();
    expect(sentMessageOf(serialized(xml('messages', { id: 'x', to: 'bob@example.org' })))).toBeUndefined();
    expect(sentMessageOf(serialized(xml('iq', { type: 'set', id: 'x', to: 'bob@example.org' })))).toBeUndefined();
  });

  it('resends messages, presences and pending requests; drops answered requests and old replies', () => {
    expect(worthResending(serialized(xml('message', { to: 'bob@example.org', id: 'x' }, xml('body', {}, 'hi'))), isPending)).toBe(true);
    expect(worthResending(serialized(xml('presence', {})), isPending)).toBe(true);
    expect(worthResending(serialized(xml('iq', { type: 'get', id: 'still-waiting' })), isPending)).toBe(true);
    expect(worthResending(serialized(xml('iq', { type: 'set', id: 'answered-long-ago' })), isPending)).toBe(false);
    expect(worthResending(serialized(xml('iq', { type: 'result', id: 'still-waiting' })), isPending)).toBe(false);
    expect(worthResending(serialized(xml('iq', { type: 'set' })), isPending)).toBe(false);
  });
});

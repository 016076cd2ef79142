import { xml } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { serializeStanza } from '../../../src/wire/serialize.js';
import { iqHead, messageIdOf, worthResending } from '../../../src/wire/stanza-head.js';

const serialized = (el: ReturnType<typeof xml>) => serializeStanza(el);

describe('what a new session resends', () => {
  const pending = new Set(['still-waiting']);
  const isPending = (id: string) => pending.has(id);

  it('reads type and id off a serialized IQ, and nothing off other stanzas', () => {
    expect(iqHead(serialized(xml('iq', { type: 'set', id: 'a"b' }, xml('query', { xmlns: 'jabber:iq:roster' }))))).toEqual({
      type: 'set',
      id: 'a"b',
    });
    expect(iqHead(serialized(xml('message', { id: 'm1', to: 'bob@example.org' })))).toBeUndefined();
    expect(iqHead(`<iq type='get' id='single'/>`)).toEqual({ type: 'get', id: 'single' });
  });

  it('reads the id off a serialized message only', () => {
    expect(messageIdOf(serialized(xml('message', { to: 'bob@example.org', id: 'a&amp;b' }, xml('body', {}, 'hi'))))).toBe('a&amp;b');
    expect(messageIdOf(serialized(xml('message', { to: 'bob@example.org' })))).toBeUndefined();
    expect(messageIdOf(serialized(xml('messages', { id: 'x' })))).toBeUndefined();
    expect(messageIdOf(serialized(xml('iq', { type: 'set', id: 'x' })))).toBeUndefined();
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

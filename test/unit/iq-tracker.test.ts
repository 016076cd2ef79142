import { xml, type Element } from '@xmpp/xml';
import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { StanzaError, XmppAdapterError } from '../../src/errors.js';
import { IqTracker } from '../../src/iq/iq-tracker.js';
import { parseXml } from '../support/xml.js';

function setup() {
  const sent: Element[] = [];
  const clock = new SimulatedClock();
  const tracker = new IqTracker((el) => sent.push(el), clock, 1000);
  tracker.setOwnJid('alice@example.org/phone');
  return { sent, clock, tracker };
}

const ping = (to?: string) => xml('iq', { type: 'get', ...(to ? { to } : {}) }, xml('ping', { xmlns: 'urn:xmpp:ping' }));

describe('IqTracker', () => {
  it('gives each request an unpredictable id and resolves with the matching result', async () => {
    const { sent, tracker } = setup();
    const a = tracker.request(ping('bob@example.org/pc'));
    tracker.request(ping('bob@example.org/pc')).catch(() => {});
    const [first, second] = sent;
    expect(first!.attrs.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first!.attrs.id).not.toBe(second!.attrs.id);
    expect(tracker.handleReply(parseXml(`<iq type="result" id="${first!.attrs.id}" from="bob@example.org/pc"/>`))).toBe(true);
    await expect(a).resolves.toMatchObject({ attrs: { type: 'result' } });
  });

  it('ignores a reply from anyone but the entity asked (RFC 6120 §8.1.2.1)', async () => {
    const { sent, tracker, clock } = setup();
    const pending = tracker.request(ping('bob@example.org/pc'));
    const id = sent[0]!.attrs.id;
    expect(tracker.handleReply(parseXml(`<iq type="result" id="${id}" from="mallory@evil.example/x"/>`))).toBe(false);
    expect(tracker.handleReply(parseXml(`<iq type="result" id="${id}"/>`))).toBe(false);
    expect(tracker.size).toBe(1);
    clock.increment(1000);
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
  });

  it('accepts replies to server requests from the domain, the own bare JID or with no from', async () => {
    const { sent, tracker } = setup();
    const replies = ['from="example.org"', 'from="alice@example.org"', ''];
    for (const from of replies) {
      const pending = tracker.request(ping());
      tracker.handleReply(parseXml(`<iq type="result" id="${sent.at(-1)!.attrs.id}" ${from}/>`));
      await expect(pending).resolves.toBeDefined();
    }
  });

  it('rejects with a StanzaError carrying the defined condition', async () => {
    const { sent, tracker } = setup();
    const pending = tracker.request(ping('example.org'));
    tracker.handleReply(
      parseXml(
        `<iq type="error" id="${sent[0]!.attrs.id}" from="example.org"><error type="cancel"><feature-not-implemented xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
      ),
    );
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StanzaError);
    expect(err).toMatchObject({ condition: 'feature-not-implemented', errorType: 'cancel' });
  });

  it('times out on the injected clock and forgets the request', async () => {
    const { tracker, clock } = setup();
    const pending = tracker.request(ping('example.org'), { timeout: 5000 });
    clock.increment(4999);
    expect(tracker.size).toBe(1);
    clock.increment(1);
    await expect(pending).rejects.toBeInstanceOf(XmppAdapterError);
    expect(tracker.size).toBe(0);
  });

  it('is cancelled by its AbortSignal, and a late reply is then ignored', async () => {
    const { sent, tracker } = setup();
    const controller = new AbortController();
    const pending = tracker.request(ping('example.org'), { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(tracker.handleReply(parseXml(`<iq type="result" id="${sent[0]!.attrs.id}" from="example.org"/>`))).toBe(false);
  });
});

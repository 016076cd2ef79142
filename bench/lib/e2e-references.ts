/**
 * The reference pairs of the end-to-end benchmark, each used as its documentation shows:
 * stock @xmpp/client (`xml` messages, `send`, `on('stanza')`), StanzaJS (`sendMessage`, the
 * `message` event) and the floors, a hand-written raw TCP client (bench/lib/raw-xmpp.ts): one
 * sending the plainest chat message, and one doing the protocol work xmpp-adapter does.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Delivery, E2eEndpoints, E2ePair, OpenPair, SendOutcome } from './e2e-delivery.js';
import { enableStreamManagement, escapeXml, rawLoginAs } from './raw-xmpp.js';
import { stanzaSession, stockSession, type StockStanza } from './reference-sessions.js';

const NS_RECEIPTS = 'urn:xmpp:receipts';

/** What the stock sender puts in each message, and whether the receiving app answers receipt requests. */
type StockJob = 'plain' | 'our-stanza' | 'our-stanza-receipts';

export const stockPair: OpenPair = (endpoints, delivery) => openStockPair(endpoints, delivery, 'plain');

/**
 * Stock @xmpp/client doing the protocol work xmpp-adapter's default pair does: the sender's
 * stanza carries what ours carries (origin-id, a XEP-0184 receipt request, `<markable/>`,
 * `<active/>`), and the receiving app answers every receipt request, so Prosody routes a receipt
 * per message for both. Separates the library's cost from the protocol's.
 */
export const stockPairWithReceipts: OpenPair = (endpoints, delivery) => openStockPair(endpoints, delivery, 'our-stanza-receipts');

/** The same without the receipt request: what xmpp-adapter with `requestReceipts: false` sends. */
export const stockPairWithOurStanza: OpenPair = (endpoints, delivery) => openStockPair(endpoints, delivery, 'our-stanza');

async function openStockPair({ service, sender, receiver }: E2eEndpoints, delivery: Delivery, job: StockJob): Promise<E2ePair> {
  const receipts = job === 'our-stanza-receipts';
  let replyXml: Awaited<ReturnType<typeof stockSession>>['xml'] | undefined;
  const [a, b] = await Promise.all([
    stockSession(service, sender),
    stockSession(service, receiver, (xmpp) =>
      xmpp.on('stanza', (el: StockStanza) => {
        if (!el.is('message')) return;
        const body = el.getChildText('body');
        if (body === null) return;
        delivery.record(body);
        const { id, from } = el.attrs;
        if (receipts && replyXml && id && from && el.getChild('request', NS_RECEIPTS)) {
          const xml = replyXml;
          void xmpp.send(xml('message', { to: from, id: randomUUID(), type: 'chat' }, xml('received', { xmlns: NS_RECEIPTS, id })));
        }
      }),
    ),
  ]);
  replyXml = b.xml;
  // Measured in steady state: stream management on, both available (as an app would be).
  await Promise.all([a.smEnabled, b.smEnabled, a.xmpp.send(a.xml('presence')), b.xmpp.send(b.xml('presence'))]);
  return {
    receiverJid: b.xmpp.jid?.toString() ?? '',
    sendAll(to, bodies): SendOutcome {
      const t0 = performance.now();
      const { xml } = a;
      const sends = bodies.map((body, i) => {
        if (job === 'plain') return a.xmpp.send(xml('message', { type: 'chat', to, id: `m${i}` }, xml('body', {}, body)));
        const id = randomUUID();
        return a.xmpp.send(
          xml(
            'message',
            { type: 'chat', to, id },
            xml('body', {}, body),
            receipts ? xml('request', { xmlns: NS_RECEIPTS }) : null,
            xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id }),
            xml('markable', { xmlns: 'urn:xmpp:chat-markers:0' }),
            xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' }),
          ),
        );
      });
      const loopMs = performance.now() - t0;
      return { loopMs, done: Promise.all(sends).then(() => undefined) };
    },
    stop: async () => {
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}

export function stanzaPair(wsUrl: string): OpenPair {
  return async ({ sender, receiver }, delivery): Promise<E2ePair> => {
    const [a, b] = await Promise.all([
      stanzaSession(wsUrl, sender),
      stanzaSession(wsUrl, receiver, (client) =>
        client.on('message', (msg: { body?: string }) => {
          if (msg.body !== undefined) delivery.record(msg.body);
        }),
      ),
    ]);
    await Promise.all([a.smEnabled, b.smEnabled]);
    a.client.sendPresence();
    b.client.sendPresence();
    return {
      receiverJid: b.client.jid,
      sendAll(to, bodies): SendOutcome {
        // 'message:sent' fires as its outgoing queue hands each message to the transport.
        let sent = 0;
        const done = new Promise<void>((resolve) => {
          a.client.on('message:sent', () => {
            if (++sent === bodies.length) resolve();
          });
        });
        const t0 = performance.now();
        for (const body of bodies) a.client.sendMessage({ to, type: 'chat', body });
        return { loopMs: performance.now() - t0, done };
      },
      stop: async () => {
        await Promise.all([a.stop(), b.stop()]);
      },
    };
  };
}

/** The floor: no library, one socket write per message, the receiver parses and reads `<body/>`. */
export const rawPair: OpenPair = async ({ sender, receiver }, delivery): Promise<E2ePair> => {
  const login = (account: typeof sender) => rawLoginAs(account, true);
  const [a, b] = await Promise.all([login(sender), login(receiver)]);
  b.onElement((el) => {
    if (el.name !== 'message') return;
    const body = el.getChildText('body');
    if (body !== null) delivery.record(body);
  });
  return {
    receiverJid: b.jid,
    sendAll(to, bodies): SendOutcome {
      const t0 = performance.now();
      let last: Promise<void> = Promise.resolve();
      bodies.forEach((body, i) => {
        last = a.write(`<message type='chat' to='${escapeXml(to)}' id='m${i}'><body>${escapeXml(body)}</body></message>`);
      });
      return { loopMs: performance.now() - t0, done: last };
    },
    stop: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
};

/**
 * The floor doing the protocol work xmpp-adapter's pair does: XEP-0198 on both sessions, the
 * stanza ours sends (origin-id, `<markable/>`, `<active/>`, UUID ids) written as a string, and,
 * with `receipts`, a XEP-0184 request in it that the receiver answers at once. No library can do
 * this work faster against the same server, so it bounds what the protocol allows.
 */
export const floorPairDoingOurWork =
  (receipts: boolean): OpenPair =>
  async ({ sender, receiver }, delivery): Promise<E2ePair> => {
    const [a, b] = await Promise.all([rawLoginAs(sender, true), rawLoginAs(receiver, true)]);
    let receiptsBack = 0;
    let expectedReceipts = Infinity;
    let allReceipts: () => void = () => {};
    const acknowledged = new Promise<void>((resolve) => (allReceipts = resolve));
    await Promise.all([
      enableStreamManagement(a, (el) => {
        if (el.name === 'message' && el.getChild('received', NS_RECEIPTS) && ++receiptsBack === expectedReceipts) allReceipts();
      }),
      enableStreamManagement(b, (el) => {
        if (el.name !== 'message') return;
        const body = el.getChildText('body');
        if (body === null) return;
        delivery.record(body);
        const { id, from } = el.attrs;
        if (receipts && id && from && el.getChild('request', NS_RECEIPTS)) {
          b.write(
            `<message to='${escapeXml(from)}' id='${randomUUID()}' type='chat'><received xmlns='${NS_RECEIPTS}' id='${escapeXml(id)}'/></message>`,
          ).catch(() => {}); // a request still arriving while the pair stops goes unanswered
        }
      }),
    ]);
    const request = receipts ? `<request xmlns='${NS_RECEIPTS}'/>` : '';
    return {
      receiverJid: b.jid,
      sendAll(to, bodies): SendOutcome {
        expectedReceipts = bodies.length;
        const t0 = performance.now();
        let last: Promise<void> = Promise.resolve();
        for (const body of bodies) {
          const id = randomUUID();
          last = a.write(
            `<message type='chat' to='${escapeXml(to)}' id='${id}'><body>${escapeXml(body)}</body>${request}` +
              `<origin-id xmlns='urn:xmpp:sid:0' id='${id}'/><markable xmlns='urn:xmpp:chat-markers:0'/>` +
              `<active xmlns='http://jabber.org/protocol/chatstates'/></message>`,
          );
        }
        return { loopMs: performance.now() - t0, done: last, ...(receipts ? { acknowledged } : {}) };
      },
      stop: async () => {
        await Promise.all([a.close(), b.close()]);
      },
    };
  };

/**
 * One roster fetch per library, each from a fresh client: log in, get the whole roster, and have
 * it as items the app can use. Each returns the JIDs it ended up with, for the caller to check.
 */
import { performance } from 'node:perf_hooks';
import type { AnyActorRef } from 'xstate';
import { createXmppClient, type XmppClient } from '../../src/index.js';
import type { RosterContext, RosterItem } from '../../src/xeps/roster/index.js';
import { stanzaSession, stockSession, type Account, type StockStanza } from './reference-sessions.js';

export interface RosterFetch {
  /** ms from `start()` (or `connect()`) to the roster ready for the app. */
  totalMs: number;
  /** ms from the same start to the library's own "online". */
  onlineMs: number;
  jids: string[];
}

export type FetchRoster = (service: string, account: Account) => Promise<RosterFetch>;

const NS_ROSTER = 'jabber:iq:roster';

/** The roster actor, once the session has spawned it. */
function rosterActor(client: XmppClient): Promise<AnyActorRef> {
  return new Promise((resolve) => {
    const found = client.actor.system.get('roster');
    if (found) return resolve(found);
    const sub = client.actor.subscribe(() => {
      const actor = client.actor.system.get('roster');
      if (!actor) return;
      sub.unsubscribe();
      resolve(actor);
    });
  });
}

/** Resolves with the items once the roster actor is `ready`; rejects if it `failed`. */
async function rosterReady(client: XmppClient): Promise<Record<string, RosterItem>> {
  const actor = await rosterActor(client);
  return new Promise((resolve, reject) => {
    const check = (snapshot: { value: unknown; context: RosterContext }) => {
      if (snapshot.value === 'ready') resolve(snapshot.context.items);
      else if (snapshot.value === 'failed') reject(new Error(`roster failed: ${snapshot.context.error}`));
    };
    actor.subscribe(check);
    check(actor.getSnapshot());
  });
}

/** Ours: ready = the roster actor's snapshot is `ready` (its `items` record filled from the result). */
export const oursRoster: FetchRoster = async (service, account) => {
  const client = createXmppClient({ service, domain: account.domain, username: account.username, password: account.password });
  try {
    const t0 = performance.now();
    const online = client.start().then(() => performance.now() - t0);
    const items = await rosterReady(client);
    const totalMs = performance.now() - t0;
    return { totalMs, onlineMs: await online, jids: Object.keys(items) };
  } finally {
    await client.stop();
  }
};

/** Stock @xmpp/client: `start()`, then a roster get through its `iqCaller`, items parsed into objects. */
export const stockRoster: FetchRoster = async (service, account) => {
  const t0 = performance.now();
  const session = await stockSession(service, account);
  try {
    const query = await session.xmpp.iqCaller.get(session.xml('query', { xmlns: NS_ROSTER }));
    const items = query.getChildren('item').map((item: StockStanza) => ({
      jid: item.attrs.jid ?? '',
      name: item.attrs.name,
      subscription: item.attrs.subscription ?? 'none',
      groups: item.getChildren('group').map((g) => g.text()),
    }));
    return { totalMs: performance.now() - t0, onlineMs: session.onlineMs, jids: items.map((i) => i.jid) };
  } finally {
    await session.stop();
  }
};

/** StanzaJS: `connect()`, then `getRoster()` (parsed by its JXT definitions). */
export const stanzaRoster: FetchRoster = async (service, account) => {
  const t0 = performance.now();
  const session = await stanzaSession(service, account);
  try {
    const roster = await session.client.getRoster();
    return { totalMs: performance.now() - t0, onlineMs: session.onlineMs, jids: roster.items.map((i) => i.jid) };
  } finally {
    await session.stop();
  }
};

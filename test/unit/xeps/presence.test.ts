import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { createRouter } from '../../../src/router/router.js';
import {
  approve,
  buildPresence,
  checkOwnPresence,
  connectPresence,
  createPresenceLogic,
  deny,
  parsePresence,
  presence,
  setPresence,
  subscribe,
  unsubscribe,
  type PresenceLogic,
} from '../../../src/xeps/presence/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, routeContext } from './harness.js';

const JULIET = routeContext('juliet@example.com/balcony');

describe('presence codec', () => {
  it('reads show, status and priority (RFC 6121 §4.7 example)', () => {
    const stanza = parseXml(`
      <presence from='romeo@example.net/orchard' xml:lang='en'>
        <show>dnd</show>
        <status>Wooing Juliet</status>
        <priority>1</priority>
      </presence>`);
    expect(parsePresence(stanza, JULIET)).toEqual({
      type: 'presence.available',
      from: 'romeo@example.net/orchard',
      show: 'dnd',
      status: 'Wooing Juliet',
      priority: 1,
    });
  });

  it('treats unknown shows as available and out-of-range priorities as 0', () => {
    const event = parsePresence(parseXml(`<presence from='a@b/c'><show>sleepy</show><priority>500</priority></presence>`), JULIET);
    expect(event).toMatchObject({ show: 'available', priority: 0 });
  });

  it('reads subscription requests as bare JIDs and withdrawals', () => {
    // RFC 6121 §3.1.3: the request as delivered to the contact.
    expect(parsePresence(parseXml(`<presence from='romeo@example.net' to='juliet@example.com' type='subscribe'/>`), JULIET)).toEqual({
      type: 'presence.subscriptionRequest',
      from: 'romeo@example.net',
    });
    expect(parsePresence(parseXml(`<presence from='romeo@example.net/x' type='subscribe'><status>hi</status></presence>`), JULIET)).toEqual(
      {
        type: 'presence.subscriptionRequest',
        from: 'romeo@example.net',
        status: 'hi',
      },
    );
    expect(parsePresence(parseXml(`<presence from='romeo@example.net' type='unsubscribe'/>`), JULIET)).toEqual({
      type: 'presence.subscriptionWithdrawn',
      from: 'romeo@example.net',
    });
  });

  it('declines MUC presence, probes, errors and presences without a usable from', () => {
    for (const text of [
      `<presence from='room@muc.example.com/nick'><x xmlns='http://jabber.org/protocol/muc#user'/></presence>`,
      `<presence from='a@b' type='probe'/>`,
      `<presence from='a@b' type='error'/>`,
      `<presence><show>away</show></presence>`,
      `<presence from='@@'><show>away</show></presence>`,
    ]) {
      expect(parsePresence(parseXml(text), JULIET)).toBeUndefined();
    }
  });

  it('reaches the feature through the router for every presence, childless ones included', () => {
    const router = createRouter([presence]);
    expect(router.route(parseXml(`<presence from='a@b/c'><status>x</status></presence>`), JULIET)).toHaveLength(1);
    expect(
      router.route(
        parseXml(`<presence from='a@b/c'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>`),
        JULIET,
      ),
    ).toHaveLength(1);
    expect(router.route(parseXml(`<presence from='a@b/c' type='unavailable'/>`), JULIET)).toHaveLength(1);
    expect(router.route(parseXml(`<presence from='a@b' type='subscribe'/>`), JULIET)).toHaveLength(1);
  });

  it('builds the stanzas of the intents', () => {
    const { services, take } = fakeServices();
    subscribe(services, 'Romeo@example.net/orchard');
    approve(services, 'romeo@example.net');
    deny(services, 'romeo@example.net');
    unsubscribe(services, 'romeo@example.net');
    setPresence(services, 'away', 'out', { priority: 5 });
    setPresence(services, 'available');
    setPresence(services, 'unavailable', 'bye');
    expect(take().map(String)).toEqual([
      `<presence to="romeo@example.net" type="subscribe"/>`,
      `<presence to="romeo@example.net" type="subscribed"/>`,
      `<presence to="romeo@example.net" type="unsubscribed"/>`,
      `<presence to="romeo@example.net" type="unsubscribe"/>`,
      `<presence><show>away</show><status>out</status><priority>5</priority></presence>`,
      `<presence/>`,
      `<presence type="unavailable"><status>bye</status></presence>`,
    ]);
    expect(String(buildPresence('dnd', undefined, 300))).toBe(`<presence><show>dnd</show><priority>127</priority></presence>`);
  });
});

function startPresence() {
  const fake = fakeServices(JULIET.me);
  const actor = createActor(createPresenceLogic(fake.services), { input: featureInput(), clock: fake.clock }).start();
  actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
  // The initial presence (tested in 'own presence' below).
  fake.take();
  const deliver = (text: string) => {
    for (const event of presence.route(parseXml(text), JULIET)) actor.send(event);
  };
  const view = () => connectPresence(actor.getSnapshot() as SnapshotFrom<PresenceLogic>);
  return { ...fake, actor, deliver, view };
}

describe('presence actor', () => {
  it('aggregates a contact by its highest-priority resource', () => {
    const p = startPresence();
    p.deliver(`<presence from='romeo@example.net/orchard'><show>away</show><priority>1</priority></presence>`);
    p.deliver(`<presence from='romeo@example.net/home'><show>dnd</show><priority>5</priority></presence>`);
    expect(p.view().of('romeo@example.net')).toMatchObject({ show: 'dnd', priority: 5, resource: 'romeo@example.net/home' });
    p.deliver(`<presence from='romeo@example.net/home' type='unavailable'><status>gone</status></presence>`);
    expect(p.view().of('Romeo@example.net')).toMatchObject({ show: 'away', resource: 'romeo@example.net/orchard' });
    p.deliver(`<presence from='romeo@example.net/orchard' type='unavailable'><status>gone</status></presence>`);
    expect(p.view().of('romeo@example.net')).toBeUndefined();
    expect(p.view().available).toEqual([]);
  });

  it('tracks our own reflected presence apart from contacts', () => {
    const p = startPresence();
    p.deliver(`<presence from='juliet@example.com/balcony'><show>chat</show></presence>`);
    p.deliver(`<presence from='juliet@example.com/chamber'><status>other</status></presence>`);
    expect(p.view().own).toEqual({ show: 'chat', priority: 0 });
    expect(p.view().available.map((c) => c.resource)).toEqual(['juliet@example.com/chamber']);
  });

  it('keeps pending requests until approved, denied or withdrawn', () => {
    const p = startPresence();
    p.deliver(`<presence from='romeo@example.net' type='subscribe'/>`);
    p.deliver(`<presence from='tybalt@example.net' type='subscribe'><status>let me in</status></presence>`);
    p.deliver(`<presence from='mercutio@example.com' type='subscribe'/>`);
    expect(p.view().pending).toEqual([
      { jid: 'romeo@example.net' },
      { jid: 'tybalt@example.net', status: 'let me in' },
      { jid: 'mercutio@example.com' },
    ]);
    p.actor.send({ type: 'presence.approve', jid: 'romeo@example.net' });
    p.actor.send({ type: 'presence.deny', jid: 'tybalt@example.net' });
    p.deliver(`<presence from='mercutio@example.com' type='unsubscribe'/>`);
    expect(p.view().pending).toEqual([]);
    expect(p.take().map(String)).toEqual([
      `<presence to="romeo@example.net" type="subscribed"/>`,
      `<presence to="tybalt@example.net" type="unsubscribed"/>`,
    ]);
  });

  it('keeps presences across a drop and a resumed stream, forgets them on a fresh session, keeps pending requests', () => {
    const p = startPresence();
    p.deliver(`<presence from='romeo@example.net/orchard'/>`.replace('/>', '><status>x</status></presence>'));
    p.deliver(`<presence from='romeo@example.net' type='subscribe'/>`);
    p.actor.send({ type: 'session.offline' });
    // The server sends nothing again on resumption: what was known before the drop still holds.
    p.actor.send({ type: 'session.online', jid: JULIET.me, resumed: true });
    expect(p.view().available.map((c) => c.jid)).toEqual(['romeo@example.net']);
    p.actor.send({ type: 'session.offline' });
    p.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    expect(p.view().available).toEqual([]);
    expect(p.view().pending).toHaveLength(1);
  });

  it('keeps network keys such as __proto__ as ordinary data', () => {
    const p = startPresence();
    p.deliver(`<presence from='__proto__/x'><status>x</status></presence>`);
    expect(p.view().of('__proto__')).toMatchObject({ status: 'x' });
    expect(({} as Record<string, unknown>).status).toBeUndefined();
  });
});

describe('own presence', () => {
  function start(overrides: Parameters<typeof featureInput>[0] = {}) {
    const fake = fakeServices(JULIET.me);
    const actor = createActor(createPresenceLogic(fake.services), { input: featureInput(overrides), clock: fake.clock }).start();
    const online = (resumed = false) => actor.send({ type: 'session.online', jid: JULIET.me, resumed });
    return { ...fake, actor, online, sentText: () => fake.take().map(String) };
  }

  it('announces availability on every fresh session, not on a resumed one', () => {
    const p = start();
    p.online();
    expect(p.sentText()).toEqual(['<presence/>']);
    p.actor.send({ type: 'session.offline' });
    p.online(true);
    expect(p.sentText()).toEqual([]);
    p.actor.send({ type: 'session.offline' });
    p.online(false);
    expect(p.sentText()).toEqual(['<presence/>']);
  });

  it('sends presence.set at once when online and keeps it for the next fresh session', () => {
    const p = start();
    p.online();
    p.take();
    p.actor.send({ type: 'presence.set', show: 'away', status: 'lunch', priority: 5 });
    expect(p.sentText()).toEqual(['<presence><show>away</show><status>lunch</status><priority>5</priority></presence>']);
    p.actor.send({ type: 'session.offline' });
    p.online(false);
    expect(p.sentText()).toEqual(['<presence><show>away</show><status>lunch</status><priority>5</priority></presence>']);
  });

  it('sends a presence set while offline once back: on a fresh session, and on a resumed one that still has the old', () => {
    const p = start();
    p.online();
    p.take();
    p.actor.send({ type: 'session.offline' });
    p.actor.send({ type: 'presence.set', show: 'dnd' });
    expect(p.sentText()).toEqual([]);
    p.online(true);
    expect(p.sentText()).toEqual(['<presence><show>dnd</show></presence>']);
  });

  it('stays unavailable with initialPresence off until the app sets a presence', () => {
    const p = start({ initialPresence: false });
    p.online();
    expect(p.sentText()).toEqual([]);
    p.actor.send({ type: 'presence.set', show: 'chat' });
    expect(p.sentText()).toEqual(['<presence><show>chat</show></presence>']);
  });

  it('refuses an unusable presence.set without sending or changing anything', () => {
    const p = start();
    p.online();
    p.take();
    for (const bad of [
      { show: 'invisible' },
      { show: 'away', priority: 300 },
      { show: 'away', priority: 1.5 },
      { show: 'away', status: 'x'.repeat(2000) },
    ]) {
      p.actor.send({ type: 'presence.set', ...(bad as { show: 'away' }) });
    }
    expect(p.sentText()).toEqual([]);
    expect(p.actor.getSnapshot().context.intended).toEqual({ show: 'available' });
    expect(checkOwnPresence({ show: 'xa', status: '', priority: -128 })).toEqual({ show: 'xa', priority: -128 });
  });

  it('sends subscription intents to the bare JID, and ignores ones without a JID', () => {
    const p = start();
    p.online();
    p.take();
    p.actor.send({ type: 'presence.subscribe', jid: 'romeo@example.net/orchard', status: 'hi' });
    p.actor.send({ type: 'presence.unsubscribe', jid: 'romeo@example.net' });
    p.actor.send({ type: 'presence.subscribe', jid: 'not a jid@' });
    p.actor.send({ type: 'presence.approve', jid: '@' });
    expect(p.sentText()).toEqual([
      `<presence to="romeo@example.net" type="subscribe"><status>hi</status></presence>`,
      `<presence to="romeo@example.net" type="unsubscribe"/>`,
    ]);
    expect(p.actor.getSnapshot().status).toBe('active');
  });

  it('resends the current presence when caps asks (our ver became known after announcing)', () => {
    const p = start();
    p.online();
    p.take();
    p.actor.send({ type: 'presence.refresh' });
    expect(p.sentText()).toEqual(['<presence/>']);
    p.actor.send({ type: 'session.offline' });
    p.actor.send({ type: 'presence.refresh' });
    expect(p.sentText()).toEqual([]);
  });

  it('sends directed presence with caps to one JID, unavailable without; ignores one without a usable JID', () => {
    const p = start();
    p.online();
    p.take();
    p.actor.send({ type: 'presence.direct', to: 'romeo@example.net/orchard', show: 'away', status: 'here' });
    p.actor.send({ type: 'presence.direct', to: 'romeo@example.net/orchard', show: 'unavailable' });
    p.actor.send({ type: 'presence.direct', to: 'not a jid@', show: 'away' });
    expect(p.sentText()).toEqual([
      `<presence to="romeo@example.net/orchard"><show>away</show><status>here</status></presence>`,
      `<presence type="unavailable" to="romeo@example.net/orchard"/>`,
    ]);
  });
});

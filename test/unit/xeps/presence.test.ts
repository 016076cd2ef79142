import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { createRouter } from '../../../src/router/router.js';
import {
  approve,
  buildPresence,
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

  it('forgets presences when the session goes offline, keeps pending requests', () => {
    const p = startPresence();
    p.deliver(`<presence from='romeo@example.net/orchard'/>`.replace('/>', '><status>x</status></presence>'));
    p.deliver(`<presence from='romeo@example.net' type='subscribe'/>`);
    p.actor.send({ type: 'session.offline' });
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

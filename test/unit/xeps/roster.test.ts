import { describe, expect, it } from 'vitest';
import { SimulatedClock, createActor, waitFor, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { createXmppClient } from '../../../src/client/create-client.js';
import { defaultFeatures } from '../../../src/xeps/registry.js';
import { createFakeServer } from '../../support/fake-server.js';
import { StanzaError } from '../../../src/errors.js';
import {
  NS_ROSTER,
  NS_ROSTERVER,
  addContact,
  buildRosterItem,
  buildRosterRemove,
  connectRoster,
  createRosterLogic,
  parseRosterItem,
  parseRosterPush,
  parseRosterResult,
  removeContact,
  renameContact,
  roster,
  setGroups,
  verToSend,
  type RosterLogic,
  type RosterOptions,
} from '../../../src/xeps/roster/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

const JULIET = routeContext('juliet@example.com/balcony');

// RFC 6121 §2.1.4 Example: a roster result.
const ROSTER_RESULT = `
<iq id='bv1bs71f' to='juliet@example.com/chamber' type='result'>
  <query xmlns='jabber:iq:roster' ver='ver11'>
    <item jid='romeo@example.net' name='Romeo' subscription='both'>
      <group>Friends</group>
    </item>
    <item jid='mercutio@example.com' name='Mercutio' subscription='from'/>
    <item jid='benvolio@example.net' name='Benvolio' subscription='both'/>
  </query>
</iq>`;

// RFC 6121 §2.1.6 / §2.3.2: a roster push for an added item.
const PUSH_NURSE = (from = '') => `
<iq id='a78b4q6ha463'${from} to='juliet@example.com/chamber' type='set'>
  <query xmlns='jabber:iq:roster' ver='ver13'>
    <item jid='nurse@example.com'/>
  </query>
</iq>`;

describe('roster codec', () => {
  it('reads the RFC 6121 roster result', () => {
    const result = ok(parseRosterResult(parseXml(ROSTER_RESULT)));
    expect(result).toEqual({
      kind: 'complete',
      ver: 'ver11',
      items: [
        { jid: 'romeo@example.net', name: 'Romeo', subscription: 'both', groups: ['Friends'] },
        { jid: 'mercutio@example.com', name: 'Mercutio', subscription: 'from', groups: [] },
        { jid: 'benvolio@example.net', name: 'Benvolio', subscription: 'both', groups: [] },
      ],
    });
  });

  it('reads an empty IQ result as "unchanged" (RFC 6121 §2.6.3)', () => {
    expect(parseRosterResult(parseXml(`<iq type='result' id='r1'/>`))).toEqual({ kind: 'unchanged' });
  });

  it('reads ask, approved and removals, and rejects unusable items', () => {
    const item = parseRosterItem(
      parseXml(
        `<query xmlns='jabber:iq:roster'><item jid='Contact@Example.ORG' subscription='none' ask='subscribe' approved='true'><group>A</group><group>A</group><group/></item></query>`,
      ).getChildElements()[0]!,
    );
    expect(item).toEqual({ jid: 'contact@example.org', subscription: 'none', ask: 'subscribe', approved: true, groups: ['A'] });
    const removal = parseRosterItem(
      parseXml(`<query xmlns='jabber:iq:roster'><item jid='a@b' subscription='remove'/></query>`).getChildElements()[0]!,
    );
    expect(removal).toEqual({ jid: 'a@b', subscription: 'remove' });
    for (const bad of [`<item jid='a@b/res'/>`, `<item/>`, `<item jid='a@b' subscription='sideways'/>`]) {
      expect(parseRosterItem(parseXml(`<query xmlns='jabber:iq:roster'>${bad}</query>`).getChildElements()[0]!)).toHaveProperty(
        'kind',
        'stanza-parse-error',
      );
    }
  });

  it('writes items that read back the same', () => {
    const item = { jid: 'nurse@example.com', name: 'Nurse', subscription: 'to' as const, ask: 'subscribe' as const, groups: ['Servants'] };
    const el = parseXml(`<query xmlns='jabber:iq:roster'>${buildRosterItem(item).toString()}</query>`).getChildElements()[0]!;
    expect(parseRosterItem(el)).toEqual(item);
    expect(buildRosterRemove('nurse@example.com').toString()).toContain(`subscription="remove"`);
  });
});

describe('roster route', () => {
  it('accepts pushes with no from or from the own bare JID', () => {
    expect(roster.route(parseXml(PUSH_NURSE()), JULIET)).toEqual([
      { type: 'roster.push', id: 'a78b4q6ha463', ver: 'ver13', item: { jid: 'nurse@example.com', subscription: 'none', groups: [] } },
    ]);
    expect(roster.route(parseXml(PUSH_NURSE(` from='Juliet@example.com'`)), JULIET)).toHaveLength(1);
  });

  it('declines pushes from anyone else, the own full JID included (RFC 6121 §2.1.6)', () => {
    for (const from of ['romeo@example.net', 'romeo@example.net/orchard', 'example.com', 'juliet@example.com/balcony', 'not a jid@@']) {
      expect(roster.route(parseXml(PUSH_NURSE(` from='${from}'`)), JULIET)).toEqual([]);
    }
  });

  it('declines gets, pushes with several items and unusable items', () => {
    expect(roster.route(parseXml(`<iq type='get' id='g'><query xmlns='jabber:iq:roster'/></iq>`), JULIET)).toEqual([]);
    expect(
      roster.route(
        parseXml(`<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='a@b'/><item jid='c@d'/></query></iq>`),
        JULIET,
      ),
    ).toEqual([]);
    expect(
      roster.route(parseXml(`<iq type='set' id='s'><query xmlns='jabber:iq:roster'><item jid='a@b/r'/></query></iq>`), JULIET),
    ).toEqual([]);
    expect(
      parseRosterPush(parseXml(`<iq type='set'><query xmlns='jabber:iq:roster'><item jid='a@b'/></query></iq>`), JULIET),
    ).toBeUndefined();
  });
});

function startRoster(options: RosterOptions = {}) {
  const fake = fakeServices('juliet@example.com/balcony');
  const actor = createActor(createRosterLogic(fake.services, options), { input: featureInput(), clock: fake.clock });
  actor.start();
  const view = () => connectRoster(actor.getSnapshot() as SnapshotFrom<RosterLogic>);
  const push = (xmlText: string) => {
    for (const event of roster.route(parseXml(xmlText), JULIET)) actor.send(event);
  };
  return { ...fake, actor, view, push };
}

describe('roster actor', () => {
  it('fetches on a fresh session, again on a resumed one when a drop cut the fetch, and sorts contacts by name', async () => {
    const r = startRoster();
    expect(r.view().status).toBe('idle');
    r.actor.send({ type: 'session.online', jid: 'juliet@example.com/balcony', resumed: false });
    expect(r.take()).toHaveLength(1);
    r.actor.send({ type: 'session.offline' });
    expect(r.view().status).toBe('idle');
    r.actor.send({ type: 'session.online', jid: 'juliet@example.com/balcony', resumed: true });
    expect(r.view().status).toBe('loading');
    const [get] = r.take();
    // No ver known yet and versioning 'auto': a plain get.
    expect(get!.getChild('query', NS_ROSTER)!.attrs.ver).toBeUndefined();
    r.reply(get!, parseXml(ROSTER_RESULT).getChild('query')!.toString());
    await waitFor(r.actor, (s) => !s.matches('loading'));
    const view = r.view();
    expect(view.status).toBe('ready');
    expect(view.ver).toBe('ver11');
    expect(view.contacts.map((c) => c.name)).toEqual(['Benvolio', 'Mercutio', 'Romeo']);
    expect(view.get('Romeo@example.net')?.groups).toEqual(['Friends']);
    // Loaded: a resumed stream lost no pushes, so it fetches nothing.
    r.actor.send({ type: 'session.offline' });
    r.actor.send({ type: 'session.online', jid: 'juliet@example.com/balcony', resumed: true });
    expect(r.take()).toEqual([]);
    expect(r.view().status).toBe('ready');
  });

  it('re-fetches with the last ver and keeps the items on an empty result', async () => {
    const r = startRoster();
    r.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    r.reply(r.take()[0]!, parseXml(ROSTER_RESULT).getChild('query')!.toString());
    await waitFor(r.actor, (s) => !s.matches('loading'));
    r.actor.send({ type: 'session.offline' });
    r.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    const [get] = r.take();
    expect(get!.getChild('query', NS_ROSTER)!.attrs.ver).toBe('ver11');
    r.reply(get!);
    await waitFor(r.actor, (s) => !s.matches('loading'));
    expect(r.view().status).toBe('ready');
    expect(r.view().contacts).toHaveLength(3);
  });

  it('applies and acknowledges pushes, including removals', async () => {
    const r = startRoster();
    r.push(PUSH_NURSE());
    expect(r.take().map((s) => s.toString())).toEqual([`<iq type="result" id="a78b4q6ha463"/>`]);
    expect(r.view().get('nurse@example.com')).toMatchObject({ subscription: 'none' });
    expect(r.view().ver).toBe('ver13');
    r.push(
      `<iq type='set' id='p2'><query xmlns='jabber:iq:roster' ver='ver14'><item jid='nurse@example.com' subscription='remove'/></query></iq>`,
    );
    expect(r.view().contacts).toEqual([]);
    expect(r.view().ver).toBe('ver14');
  });

  it('holds pushes that arrive during the fetch and applies them after the result', async () => {
    const r = startRoster({ versioning: true });
    r.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    const [get] = r.take();
    // Versioning on and nothing cached: bootstrap with ver=''.
    expect(get!.getChild('query', NS_ROSTER)!.attrs.ver).toBe('');
    r.push(PUSH_NURSE());
    expect(r.take()).toHaveLength(1);
    r.reply(get!, `<query xmlns='jabber:iq:roster' ver='ver12'><item jid='romeo@example.net' subscription='both'/></query>`);
    await waitFor(r.actor, (s) => !s.matches('loading'));
    expect(r.view().contacts.map((c) => c.jid)).toEqual(['nurse@example.com', 'romeo@example.net']);
    expect(r.view().ver).toBe('ver13');
  });

  it('starts from a cache and lists pending outgoing requests', async () => {
    const r = startRoster({
      cache: { ver: '7', items: { 'a@b': { jid: 'a@b', subscription: 'none', ask: 'subscribe', groups: [] } } },
    });
    expect(r.view().pendingOut.map((c) => c.jid)).toEqual(['a@b']);
    r.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false });
    const [get] = r.take();
    expect(get!.getChild('query', NS_ROSTER)!.attrs.ver).toBe('7');
    r.reply(get!, '', 'error');
    await waitFor(r.actor, (s) => !s.matches('loading'));
    expect(r.view().status).toBe('failed');
    expect(r.view().contacts).toHaveLength(1);
  });

  it('follows the stream features when the session reports them', () => {
    const offered = startRoster();
    offered.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false, streamFeatures: [NS_ROSTERVER] });
    expect(offered.take()[0]!.getChild('query', NS_ROSTER)!.attrs.ver).toBe('');
    const notOffered = startRoster({ cache: { ver: '7', items: {} } });
    notOffered.actor.send({ type: 'session.online', jid: JULIET.me, resumed: false, streamFeatures: [] });
    expect(notOffered.take()[0]!.getChild('query', NS_ROSTER)!.attrs.ver).toBeUndefined();
  });

  it('never sends ver when versioning is off', () => {
    expect(verToSend({ versioning: false, ver: '5' })).toBeUndefined();
    expect(verToSend({ versioning: 'auto', ver: undefined })).toBeUndefined();
    expect(verToSend({ versioning: true, ver: undefined })).toBe('');
  });
});

describe('roster helpers', () => {
  it('build the RFC 6121 sets and reject on error', async () => {
    const { services, take, reply } = fakeServices();
    const added = addContact(services, 'Nurse@example.com', 'Nurse', ['Servants']);
    const [set] = take();
    expect(set!.getChild('query', NS_ROSTER)!.toString()).toBe(
      `<query xmlns="jabber:iq:roster"><item jid="nurse@example.com" name="Nurse"><group>Servants</group></item></query>`,
    );
    reply(set!);
    await added;

    const renamed = renameContact(services, { jid: 'nurse@example.com', groups: ['Servants'] }, 'Nanny');
    const [rename] = take();
    expect(rename!.getChild('query')!.getChild('item')!.attrs.name).toBe('Nanny');
    expect(rename!.getChild('query')!.getChild('item')!.getChildText('group')).toBe('Servants');
    reply(rename!);
    await renamed;

    const grouped = setGroups(services, { jid: 'nurse@example.com', name: 'Nanny' }, []);
    const [regroup] = take();
    expect(regroup!.getChild('query')!.getChild('item')!.getChildren('group')).toEqual([]);
    reply(regroup!);
    await grouped;

    const removed = removeContact(services, 'nurse@example.com');
    const [remove] = take();
    expect(remove!.getChild('query')!.getChild('item')!.attrs.subscription).toBe('remove');
    reply(remove!, `<error type='modify'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`, 'error');
    await expect(removed).rejects.toBeInstanceOf(StanzaError);
    await expect(addContact(services, 'not a jid@@')).rejects.toMatchObject({ code: 'invalid-options' });
  });
});

describe('roster inside a session', () => {
  it('fetches when online, acknowledges pushes and leaves forged ones to service-unavailable', async () => {
    const server = createFakeServer({ jid: 'alice@example.org/test' });
    const client = createXmppClient(
      { service: 'wss://example.org/ws', username: 'alice', password: 'x', domain: 'example.org' },
      { transport: server.logic, clock: new SimulatedClock(), features: defaultFeatures },
    );
    void client.start().catch(() => {});
    server.acceptConnection();
    const rosterRef = client.actor.system.get('roster') as ActorRefFrom<RosterLogic>;
    const get = server.expectOutgoing({ name: 'iq', type: 'get', childNs: NS_ROSTER });
    server.replyResult(get, parseXml(`<query xmlns='jabber:iq:roster' ver='1'><item jid='bob@example.org' subscription='both'/></query>`));
    await waitFor(rosterRef, (s) => s.matches('ready'));

    server.pushIncoming(
      `<iq type='set' id='forged' from='alice@example.org/other' to='alice@example.org/test'><query xmlns='jabber:iq:roster'><item jid='bob@example.org' subscription='remove'/></query></iq>`,
    );
    const refusal = server.expectOutgoing({ name: 'iq', type: 'error' });
    expect(refusal.attrs).toMatchObject({ id: 'forged', to: 'alice@example.org/other' });
    expect(refusal.getChild('error')!.getChild('service-unavailable')).toBeDefined();
    expect(connectRoster(rosterRef.getSnapshot()).contacts).toHaveLength(1);

    server.pushIncoming(
      `<iq type='set' id='push' from='alice@example.org' to='alice@example.org/test'><query xmlns='jabber:iq:roster' ver='2'><item jid='bob@example.org' subscription='remove'/></query></iq>`,
    );
    expect(server.expectOutgoing({ name: 'iq', type: 'result' }).attrs).toMatchObject({ id: 'push', to: 'alice@example.org' });
    expect(connectRoster(rosterRef.getSnapshot())).toMatchObject({ contacts: [], ver: '2' });
    await client.stop();
  });
});

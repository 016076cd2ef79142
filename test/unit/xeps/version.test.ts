import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import { NS_VERSION, buildVersion, createVersionLogic, parseVersion, softwareVersion, version } from '../../../src/xeps/version/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

// XEP-0092 Example 1 and Example 2.
const QUERY = `
<iq type='get' from='romeo@montague.net/orchard' to='juliet@capulet.com/balcony' id='version_1'>
  <query xmlns='jabber:iq:version'/>
</iq>`;
const RESPONSE = `
<iq type='result' to='romeo@montague.net/orchard' from='juliet@capulet.com/balcony' id='version_1'>
  <query xmlns='jabber:iq:version'>
    <name>Exodus</name>
    <version>0.7.0.4</version>
    <os>Windows-XP 5.01.2600</os>
  </query>
</iq>`;

const JULIET = routeContext('juliet@capulet.com/balcony');

describe('version codec', () => {
  it('round-trips XEP-0092 Example 2', () => {
    const software = ok(parseVersion(parseXml(RESPONSE)));
    expect(software).toEqual({ name: 'Exodus', version: '0.7.0.4', os: 'Windows-XP 5.01.2600' });
    expect(parseVersion(buildVersion(software))).toEqual(software);
  });

  it('leaves <os/> out unless given', () => {
    const el = buildVersion({ name: 'xmpp-adapter', version: '0.1.0' });
    expect(el.toString()).toBe(`<query xmlns="${NS_VERSION}"><name>xmpp-adapter</name><version>0.1.0</version></query>`);
  });

  it('refuses a result without name or version', () => {
    expect(parseVersion(parseXml(`<query xmlns='jabber:iq:version'><name>x</name></query>`))).toBeInstanceOf(StanzaParseError);
    expect(parseVersion(parseXml(`<query xmlns='jabber:iq:version'/>`))).toBeInstanceOf(StanzaParseError);
    expect(parseVersion(parseXml(`<iq type='result'/>`))).toBeInstanceOf(StanzaParseError);
  });
});

describe('version route', () => {
  it('routes XEP-0092 Example 1 as plain data', () => {
    expect(version.route(parseXml(QUERY), JULIET)).toEqual([
      { type: 'version.request', id: 'version_1', from: 'romeo@montague.net/orchard' },
    ]);
  });

  it.each([
    ['the result (Example 2)', RESPONSE],
    ['a get without id', `<iq type='get' from='romeo@montague.net/orchard'><query xmlns='jabber:iq:version'/></iq>`],
    ['a get for someone else', `<iq type='get' id='v' to='nurse@capulet.com/chamber'><query xmlns='jabber:iq:version'/></iq>`],
    ['a get with an extra payload', `<iq type='get' id='v'><query xmlns='jabber:iq:version'/><ping xmlns='urn:xmpp:ping'/></iq>`],
  ])('declines %s', (_what, text) => {
    expect(version.route(parseXml(text), JULIET)).toEqual([]);
  });
});

describe('version machine and helper', () => {
  it('answers with the software from input, os only when provided', () => {
    const { services, take } = fakeServices('juliet@capulet.com/balcony');
    const plain = createActor(createVersionLogic(services), {
      input: featureInput({ software: { name: 'Exodus', version: '0.7.0.4' } }),
    }).start();
    plain.send({ type: 'version.request', id: 'version_1', from: 'romeo@montague.net/orchard' });
    const withOs = createActor(createVersionLogic(services), {
      input: featureInput({ software: { name: 'Exodus', version: '0.7.0.4', os: 'Windows-XP 5.01.2600' } }),
    }).start();
    withOs.send({ type: 'version.request', id: 'version_2' });

    const [first, second] = take();
    expect(first!.attrs).toEqual({ type: 'result', id: 'version_1', to: 'romeo@montague.net/orchard' });
    expect(parseVersion(first!)).toEqual({ name: 'Exodus', version: '0.7.0.4' });
    expect(second!.attrs).toEqual({ type: 'result', id: 'version_2' });
    expect(parseVersion(second!)).toEqual({ name: 'Exodus', version: '0.7.0.4', os: 'Windows-XP 5.01.2600' });
  });

  it('softwareVersion asks the entity and parses its answer', async () => {
    const { services, take, reply } = fakeServices('romeo@montague.net/orchard');
    const pending = softwareVersion(services, 'juliet@capulet.com/balcony');
    const [request] = take();
    expect(request!.attrs).toMatchObject({ type: 'get', to: 'juliet@capulet.com/balcony' });
    expect(request!.getChild('query', NS_VERSION)).toBeDefined();
    reply(request!, `<query xmlns='jabber:iq:version'><name>Exodus</name><version>0.7.0.4</version><os>Windows-XP 5.01.2600</os></query>`);
    await expect(pending).resolves.toEqual({ name: 'Exodus', version: '0.7.0.4', os: 'Windows-XP 5.01.2600' });
  });
});

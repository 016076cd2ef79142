import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { StanzaParseError } from '../../../src/xeps/iq-request.js';
import {
  NS_TIME,
  buildTime,
  createTimeLogic,
  entityTime,
  formatTzo,
  formatUtc,
  parseDateTime,
  parseTime,
  parseTzo,
  time,
} from '../../../src/xeps/time/index.js';
import { parseXml } from '../../support/xml.js';
import { fakeServices, featureInput, ok, routeContext } from './harness.js';

// XEP-0202 Example 1 and Example 2.
const QUERY = `
<iq type='get' from='romeo@montague.net/orchard' to='juliet@capulet.com/balcony' id='time_1'>
  <time xmlns='urn:xmpp:time'/>
</iq>`;
const RESPONSE = `
<iq type='result' from='juliet@capulet.com/balcony' to='romeo@montague.net/orchard' id='time_1'>
  <time xmlns='urn:xmpp:time'>
    <tzo>-06:00</tzo>
    <utc>2006-12-19T17:58:35Z</utc>
  </time>
</iq>`;

const JULIET = routeContext('juliet@capulet.com/balcony');

describe('time codec', () => {
  it('reads XEP-0202 Example 2', () => {
    expect(parseTime(parseXml(RESPONSE))).toEqual({ tzo: '-06:00', utc: '2006-12-19T17:58:35.000Z', offsetMinutes: -360 });
  });

  it('writes Example 2 back from the same instant and offset', () => {
    const el = buildTime(new Date(Date.UTC(2006, 11, 19, 17, 58, 35, 450)), -360);
    expect(el.toString()).toBe(`<time xmlns="${NS_TIME}"><tzo>-06:00</tzo><utc>2006-12-19T17:58:35Z</utc></time>`);
    expect(parseTime(el)).toEqual({ tzo: '-06:00', utc: '2006-12-19T17:58:35.000Z', offsetMinutes: -360 });
  });

  it('formats offsets as XEP-0082 TZD', () => {
    expect([formatTzo(0), formatTzo(120), formatTzo(-360), formatTzo(330), formatTzo(-570)]).toEqual([
      '+00:00',
      '+02:00',
      '-06:00',
      '+05:30',
      '-09:30',
    ]);
    expect(formatUtc(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 999)))).toBe('2024-01-02T03:04:05Z');
  });

  it('is tolerant of fractions, Z offsets and explicit UTC offsets', () => {
    expect(parseDateTime('2006-12-19T17:58:35.123456789Z')).toBe(Date.UTC(2006, 11, 19, 17, 58, 35, 123));
    expect(parseDateTime('2006-12-19T17:58:35.5Z')).toBe(Date.UTC(2006, 11, 19, 17, 58, 35, 500));
    expect(parseDateTime('2006-12-19T11:58:35-06:00')).toBe(Date.UTC(2006, 11, 19, 17, 58, 35));
    expect(ok(parseTime(parseXml(`<time xmlns='urn:xmpp:time'><tzo>Z</tzo><utc> 2006-12-19T17:58:35.25Z </utc></time>`)))).toEqual({
      tzo: 'Z',
      utc: '2006-12-19T17:58:35.250Z',
      offsetMinutes: 0,
    });
  });

  it.each([
    ['no time element', `<iq type='result'/>`],
    ['no utc', `<time xmlns='urn:xmpp:time'><tzo>+01:00</tzo></time>`],
    ['no tzo', `<time xmlns='urn:xmpp:time'><utc>2006-12-19T17:58:35Z</utc></time>`],
    ['a named zone', `<time xmlns='urn:xmpp:time'><tzo>CET</tzo><utc>2006-12-19T17:58:35Z</utc></time>`],
    ['an impossible offset', `<time xmlns='urn:xmpp:time'><tzo>+25:00</tzo><utc>2006-12-19T17:58:35Z</utc></time>`],
    ['a date without time zone', `<time xmlns='urn:xmpp:time'><tzo>Z</tzo><utc>2006-12-19T17:58:35</utc></time>`],
    ['February 30th', `<time xmlns='urn:xmpp:time'><tzo>Z</tzo><utc>2023-02-30T00:00:00Z</utc></time>`],
    ['garbage', `<time xmlns='urn:xmpp:time'><tzo>Z</tzo><utc>yesterday</utc></time>`],
  ])('refuses %s without throwing', (_what, text) => {
    expect(parseTime(parseXml(text))).toBeInstanceOf(StanzaParseError);
  });

  it('reads only well-formed offsets', () => {
    expect([parseTzo('+14:00'), parseTzo('-00:30'), parseTzo('+1:00'), parseTzo('+01:60')]).toEqual([840, -30, undefined, undefined]);
  });
});

describe('time route', () => {
  it('routes XEP-0202 Example 1 as plain data', () => {
    expect(time.route(parseXml(QUERY), JULIET)).toEqual([{ type: 'time.request', id: 'time_1', from: 'romeo@montague.net/orchard' }]);
  });

  it.each([
    ['the result (Example 2)', RESPONSE],
    ['a get without id', `<iq type='get' from='romeo@montague.net/orchard'><time xmlns='urn:xmpp:time'/></iq>`],
    ['a set', `<iq type='set' id='t' from='romeo@montague.net/orchard'><time xmlns='urn:xmpp:time'/></iq>`],
    ['the obsolete jabber:iq:time', `<iq type='get' id='t'><query xmlns='jabber:iq:time'/></iq>`],
  ])('declines %s', (_what, text) => {
    expect(time.route(parseXml(text), JULIET)).toEqual([]);
  });
});

describe('time machine and helper', () => {
  it('answers with the local clock’s UTC time and offset', () => {
    const { services, take } = fakeServices('juliet@capulet.com/balcony');
    const clock = () => ({ date: new Date(Date.UTC(2006, 11, 19, 17, 58, 35)), offsetMinutes: -360 });
    const actor = createActor(createTimeLogic(services, clock), { input: featureInput() }).start();
    actor.send({ type: 'time.request', id: 'time_1', from: 'romeo@montague.net/orchard' });
    const [reply] = take();
    expect(reply!.attrs).toEqual({ type: 'result', id: 'time_1', to: 'romeo@montague.net/orchard' });
    expect(parseTime(reply!)).toEqual({ tzo: '-06:00', utc: '2006-12-19T17:58:35.000Z', offsetMinutes: -360 });
  });

  it('answers with the system clock by default', () => {
    const { services, take } = fakeServices('juliet@capulet.com/balcony');
    const actor = createActor(createTimeLogic(services), { input: featureInput() }).start();
    const before = Date.now();
    actor.send({ type: 'time.request', id: 't' });
    const answered = ok(parseTime(take()[0]!));
    expect(Date.parse(answered.utc)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(answered.offsetMinutes).toBe(0 - new Date().getTimezoneOffset());
  });

  it('entityTime asks the entity and parses its answer', async () => {
    const { services, take, reply } = fakeServices('romeo@montague.net/orchard');
    const pending = entityTime(services, 'juliet@capulet.com/balcony');
    const [request] = take();
    expect(request!.attrs).toMatchObject({ type: 'get', to: 'juliet@capulet.com/balcony' });
    expect(request!.getChild('time', NS_TIME)).toBeDefined();
    reply(request!, `<time xmlns='urn:xmpp:time'><tzo>-06:00</tzo><utc>2006-12-19T17:58:35Z</utc></time>`);
    await expect(pending).resolves.toEqual({ tzo: '-06:00', utc: '2006-12-19T17:58:35.000Z', offsetMinutes: -360 });
  });

  it('entityTime rejects a malformed answer', async () => {
    const { services, take, reply } = fakeServices('romeo@montague.net/orchard');
    const pending = entityTime(services, 'juliet@capulet.com/balcony');
    reply(take()[0]!, `<time xmlns='urn:xmpp:time'><tzo>soon</tzo><utc>2006-12-19T17:58:35Z</utc></time>`);
    await expect(pending).rejects.toMatchObject({ code: 'bad-reply' });
  });
});

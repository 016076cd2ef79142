import { describe, expect, it } from 'vitest';
import { parseDiscoInfo } from '../../../src/xeps/disco/index.js';
import {
  buildSlotRequest,
  checkSlotUrl,
  isFileStore,
  offersUpload,
  parseMaxFileSize,
  parseSlot,
  parseUploadError,
} from '../../../src/xeps/upload/index.js';
import { parseXml, xmlTree } from '../../support/xml.js';
import { ok } from './harness.js';

// XEP-0363 §3, Example 4: the upload service's disco#info with a 5 MiB limit.
const SERVICE_INFO = `
<iq from='upload.montague.tld' id='step_02' to='romeo@montague.tld/garden' type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <identity category='store' type='file' name='HTTP File Upload' />
    <feature var='urn:xmpp:http:upload:0' />
    <x type='result' xmlns='jabber:x:data'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:http:upload:0</value>
      </field>
      <field var='max-file-size'>
        <value>5242880</value>
      </field>
    </x>
  </query>
</iq>`;

// §4, Example 5: the slot request.
const SLOT_REQUEST = `
<iq id='step_03' to='upload.montague.tld' type='get'>
  <request xmlns='urn:xmpp:http:upload:0' filename='my-juliet.jpg' size='23456' content-type='image/jpeg' />
</iq>`;

// §4, Example 6: the slot (with a Host header, which a client must not send).
const SLOT = `
<iq from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='result'>
  <slot xmlns='urn:xmpp:http:upload:0'>
    <put url='https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg'>
      <header name='Authorization'>Basic Base64String==</header>
      <header name='Cookie'>foo=bar; user=romeo</header>
    </put>
    <get url='https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg' />
  </slot>
</iq>`;

// §5, Examples 7 and 8.
const FILE_TOO_LARGE = `
<iq from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='error'>
  <request xmlns='urn:xmpp:http:upload:0' filename='my-juliet.jpg' size='23456' content-type='image/jpeg' />
  <error type='modify'>
    <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' />
    <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>File too large. The maximum file size is 20000 bytes</text>
    <file-too-large xmlns='urn:xmpp:http:upload:0'>
      <max-file-size>20000</max-file-size>
    </file-too-large>
  </error>
</iq>`;

const RETRY = `
<iq from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='error'>
  <request xmlns='urn:xmpp:http:upload:0' filename='my-juliet.jpg' size='23456' content-type='image/jpeg' />
  <error type='wait'>
    <resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' />
    <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Quota reached. You can only upload 5 files in 5 minutes</text>
    <retry xmlns='urn:xmpp:http:upload:0' stamp='2017-12-03T23:42:05Z' />
  </error>
</iq>`;

/** A slot with `put`/`get` URLs and `headers` (raw XML). */
const slot = (put: string, get = 'https://files.example/get/a.png', headers = '') =>
  parseXml(
    `<iq type='result' id='s'><slot xmlns='urn:xmpp:http:upload:0'><put url='${put}'>${headers}</put><get url='${get}'/></slot></iq>`,
  );

describe('upload codec: the XEP-0363 examples', () => {
  it('reads the service and its max-file-size from disco#info (§3)', () => {
    const info = ok(parseDiscoInfo(parseXml(SERVICE_INFO)));
    expect(offersUpload(info)).toBe(true);
    expect(isFileStore(info)).toBe(true);
    expect(parseMaxFileSize(info)).toBe(5_242_880);
  });

  it('reads max-file-size only from the upload form, and only as a byte count', () => {
    const form = (formType: string, value: string) => ({
      forms: [
        {
          fields: [
            { var: 'FORM_TYPE', values: [formType] },
            { var: 'max-file-size', values: [value] },
          ],
        },
      ],
    });
    expect(parseMaxFileSize(form('urn:xmpp:http:upload:0', '10485760'))).toBe(10_485_760);
    expect(parseMaxFileSize(form('urn:xmpp:other', '10'))).toBeUndefined();
    for (const bad of ['-1', '1e9', 'ten', '', '99999999999999999999']) {
      expect(parseMaxFileSize(form('urn:xmpp:http:upload:0', bad))).toBeUndefined();
    }
    expect(parseMaxFileSize({ forms: [] })).toBeUndefined();
  });

  it('builds the slot request of §4', () => {
    const built = buildSlotRequest('upload.montague.tld', { filename: 'my-juliet.jpg', size: 23456, contentType: 'image/jpeg' });
    expect(xmlTree(built, ['id'])).toEqual(xmlTree(parseXml(SLOT_REQUEST), ['id']));
    // content-type is OPTIONAL.
    const bare = buildSlotRequest('upload.montague.tld', { filename: 'a.bin', size: 0 });
    expect(bare.getChild('request')?.attrs).toEqual({ xmlns: 'urn:xmpp:http:upload:0', filename: 'a.bin', size: '0' });
  });

  it('reads the slot of §4 with its allowed headers', () => {
    expect(ok(parseSlot(parseXml(SLOT)))).toEqual({
      put: {
        url: 'https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg',
        headers: [
          { name: 'Authorization', value: 'Basic Base64String==' },
          { name: 'Cookie', value: 'foo=bar; user=romeo' },
        ],
      },
      get: 'https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg',
    });
  });

  it('reads file-too-large and retry from the error replies of §5', () => {
    expect(parseUploadError(parseXml(FILE_TOO_LARGE))).toEqual({ fileTooLarge: { maxFileSize: 20000 } });
    expect(parseUploadError(parseXml(RETRY))).toEqual({ retry: { stamp: '2017-12-03T23:42:05Z' } });
    // "MUST be expressed in UTC": another zone, or no date-time at all, is ignored.
    expect(parseUploadError(parseXml(RETRY.replace('23:42:05Z', '23:42:05+02:00')))).toEqual({});
    expect(parseUploadError(parseXml(RETRY.replace('2017-12-03T23:42:05Z', 'soon')))).toEqual({});
    expect(
      parseUploadError(
        parseXml(`<iq type='error' id='x'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`),
      ),
    ).toEqual({});
  });
});

describe('upload codec: hostile slots', () => {
  it('refuses URLs that are not absolute https (http only on loopback)', () => {
    for (const url of [
      'http://evil.example/put',
      'javascript:alert(1)',
      'data:text/html,hi',
      'file:///etc/passwd',
      'ftp://files.example/a',
      '/relative/put',
      'upload.example/put',
      'https://user:secret@files.example/put',
      '',
      `https://files.example/${'a'.repeat(9000)}`,
    ]) {
      expect(checkSlotUrl(url), url.slice(0, 40)).toHaveProperty('kind', 'stanza-parse-error');
      expect(parseSlot(slot(url)), `PUT ${url.slice(0, 40)}`).toHaveProperty('kind', 'stanza-parse-error');
      expect(parseSlot(slot('https://files.example/put', url)), `GET ${url.slice(0, 40)}`).toHaveProperty('kind', 'stanza-parse-error');
    }
    for (const url of ['http://127.0.0.1:15280/f/a', 'http://localhost/a', 'http://[::1]:8080/a', 'https://files.example/a']) {
      expect(checkSlotUrl(url)).toBe(url);
    }
    // A PUT URL in an attribute the parser does not read, or no URL at all.
    expect(
      parseSlot(parseXml(`<slot xmlns='urn:xmpp:http:upload:0'><put>https://a.example/p</put><get url='https://a.example/g'/></slot>`)),
    ).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('refuses a header with a line break (header injection) or without a name', () => {
    for (const header of [
      `<header name='Authorization'>Bearer x&#13;&#10;X-Evil: 1</header>`,
      `<header name='Authorization'>Bearer x&#10;</header>`,
      `<header name='Cookie'>a=b&#13;</header>`,
      `<header name='Authorization&#10;X-Evil'>x</header>`,
      `<header>no name</header>`,
    ]) {
      expect(parseSlot(slot('https://files.example/put', undefined, header)), header).toHaveProperty('kind', 'stanza-parse-error');
    }
  });

  it('drops headers other than Authorization, Cookie and Expires (any case), keeping order and repeats', () => {
    const headers = [
      `<header name='Host'>evil.example</header>`,
      `<header name='Content-Length'>1</header>`,
      `<header name='Transfer-Encoding'>chunked</header>`,
      `<header name='X-Evil'>1</header>`,
      `<header name='expires'>Wed, 21 Oct 2026 07:28:00 GMT</header>`,
      `<header name='Cookie'>a=1</header>`,
      `<header name='COOKIE'>b=2</header>`,
    ].join('');
    expect(ok(parseSlot(slot('https://files.example/put', undefined, headers))).put.headers).toEqual([
      { name: 'expires', value: 'Wed, 21 Oct 2026 07:28:00 GMT' },
      { name: 'Cookie', value: 'a=1' },
      { name: 'COOKIE', value: 'b=2' },
    ]);
    // Headers in another namespace are not the slot's.
    expect(
      ok(parseSlot(slot('https://files.example/put', undefined, `<header xmlns='urn:other' name='Cookie'>x</header>`))).put.headers,
    ).toEqual([]);
  });

  it('refuses a slot with too many headers, or without put or get', () => {
    const many = Array.from({ length: 33 }, () => `<header name='Cookie'>a=b</header>`).join('');
    expect(parseSlot(slot('https://files.example/put', undefined, many))).toHaveProperty('kind', 'stanza-parse-error');
    expect(parseSlot(parseXml(`<slot xmlns='urn:xmpp:http:upload:0'><get url='https://a.example/g'/></slot>`))).toHaveProperty(
      'kind',
      'stanza-parse-error',
    );
    expect(parseSlot(parseXml(`<iq type='result' id='x'/>`))).toHaveProperty('kind', 'stanza-parse-error');
    // The legacy namespace is not read as the current one.
    expect(parseSlot(parseXml(SLOT.replace('urn:xmpp:http:upload:0', 'urn:xmpp:http:upload')))).toHaveProperty(
      'kind',
      'stanza-parse-error',
    );
  });
});

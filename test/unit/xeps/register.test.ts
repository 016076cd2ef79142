import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Element } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError, StanzaError } from '../../../src/errors.js';
import {
  NS_CAPTCHA,
  NS_REGISTER,
  RegistrationError,
  assertPasswordMayBeSent,
  buildPasswordChange,
  buildRegistrationRequest,
  buildRegistrationSubmit,
  buildRemove,
  changePassword,
  deleteAccount,
  missingFields,
  offersRegistration,
  parseRegistrationForm,
  registerAccount,
  registrationErrorOf,
} from '../../../src/xeps/register/index.js';
import { parseXml, xmlTree } from '../../support/xml.js';
import { fakeServices, ok } from './harness.js';

/** Compares a built stanza with a XEP example, the id the tracker assigns and `to` aside. */
function sameXml(built: Element, example: string, ignore: readonly string[] = ['id']): void {
  expect(xmlTree(built, ignore)).toEqual(xmlTree(parseXml(example), ignore));
}

// XEP-0077 §3.1 examples.
const FIELDS_FORM = `
<iq type='result' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <instructions>
      Choose a username and password for use with this service.
      Please also provide your email address.
    </instructions>
    <username/>
    <password/>
    <email/>
  </query>
</iq>`;

const ALREADY_REGISTERED = `
<iq type='result' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <registered/>
    <username>juliet</username>
    <password>R0m30</password>
    <email>juliet@capulet.com</email>
  </query>
</iq>`;

const FIELDS_SUBMIT = `
<iq type='set' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>Calliope</password>
    <email>bard@shakespeare.lit</email>
  </query>
</iq>`;

const CONFLICT = `
<iq type='error' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>m1cro$oft</password>
    <email>billg@bigcompany.com</email>
  </query>
  <error code='409' type='cancel'>
    <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`;

const NOT_ACCEPTABLE = `
<iq type='error' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>Calliope</password>
  </query>
  <error code='406' type='modify'>
    <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`;

const DATA_FORM = `
<iq type='result' from='contests.shakespeare.lit' to='juliet@capulet.com/balcony' id='reg3'>
  <query xmlns='jabber:iq:register'>
    <instructions>
      Use the enclosed form to register. If your Jabber client does not
      support Data Forms, visit http://www.shakespeare.lit/contests.php
    </instructions>
    <x xmlns='jabber:x:data' type='form'>
      <title>Contest Registration</title>
      <instructions>
        Please provide the following information
        to sign up for our special contests!
      </instructions>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register</value>
      </field>
      <field type='text-single' label='Given Name' var='first'>
        <required/>
      </field>
      <field type='text-single' label='Family Name' var='last'>
        <required/>
      </field>
      <field type='text-single' label='Email Address' var='email'>
        <required/>
      </field>
      <field type='list-single' label='Gender' var='x-gender'>
        <option label='Male'><value>M</value></option>
        <option label='Female'><value>F</value></option>
      </field>
    </x>
  </query>
</iq>`;

const DATA_FORM_SUBMIT = `
<iq type='set' from='juliet@capulet.com/balcony' to='contests.shakespeare.lit' id='reg4'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='submit'>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register</value>
      </field>
      <field type='text-single' label='Given Name' var='first'>
        <value>Juliet</value>
      </field>
      <field type='text-single' label='Family Name' var='last'>
        <value>Capulet</value>
      </field>
      <field type='text-single' label='Email Address' var='email'>
        <value>juliet@capulet.com</value>
      </field>
      <field type='list-single' label='Gender' var='x-gender'>
        <value>F</value>
      </field>
    </x>
  </query>
</iq>`;

// XEP-0158 §4: a CAPTCHA registration form and its submission.
const CAPTCHA_FORM = `
<iq type='result' xml:lang='en' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='form'>
      <field type='hidden' var='FORM_TYPE'>
        <value>urn:xmpp:captcha</value>
      </field>
      <field type='hidden' var='challenge'><value>F3A6292C</value></field>
      <field type='hidden' var='sid'><value>reg1</value></field>
      <field type='hidden' var='answers'><value>3</value></field>
      <field var='ocr' label='Enter the text you see'>
        <media xmlns='urn:xmpp:media-element' height='80' width='290'>
          <uri type='image/jpeg'>
            http://www.victim.com/challenges/ocr.jpeg?F3A6292C
          </uri>
        </media>
      </field>
      <field label='93C7A' type='text-single' var='SHA-256'/>
      <field type='text-single' var='username'>
        <required/>
      </field>
      <field type='text-private' var='password'>
        <required/>
      </field>
    </x>
    <instructions>
      To register, visit http://www.victim.com/register.html
    </instructions>
    <x xmlns='jabber:x:oob'>
      <url>http://www.victim.com/register.html</url>
    </x>
    <data xmlns='urn:xmpp:bob' cid='sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org' type='image/png'>iVBORw0KGgo=</data>
  </query>
</iq>`;

const CAPTCHA_SUBMIT = `
<iq type='set' xml:lang='en' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE'>
        <value>urn:xmpp:captcha</value>
      </field>
      <field var='challenge'><value>F3A6292C</value></field>
      <field var='sid'><value>reg1</value></field>
      <field var='answers'><value>3</value></field>
      <field var='ocr'><value>7nHL3</value></field>
      <field var='username'><value>bill</value></field>
      <field var='password'><value>Calliope</value></field>
    </x>
  </query>
</iq>`;

/** Data-form fields as (var, values) pairs, for comparing submissions whose examples carry labels and types. */
function submittedFields(iq: Element): Array<[string | undefined, string[]]> {
  const x = iq.getChild('query', NS_REGISTER)!.getChild('x', 'jabber:x:data')!;
  expect(x.attrs.type).toBe('submit');
  return x.getChildren('field').map((f) => [f.attrs.var, f.getChildren('value').map((v) => v.text())]);
}

describe('XEP-0077 codec', () => {
  it('asks for the registration fields (§3.1)', () => {
    sameXml(buildRegistrationRequest(), `<iq type='get' id='reg1'><query xmlns='jabber:iq:register'/></iq>`);
    sameXml(
      buildRegistrationRequest('shakespeare.lit'),
      `<iq type='get' id='reg1' to='shakespeare.lit'><query xmlns='jabber:iq:register'/></iq>`,
    );
  });

  it('reads the plain fields and submits each of them (§3.1)', () => {
    const form = ok(parseRegistrationForm(parseXml(FIELDS_FORM)));
    expect(form).toMatchObject({ kind: 'fields', captcha: false, registered: false });
    expect(form.instructions).toMatch(/^Choose a username and password/);
    expect(form.fields.map((f) => [f.var, f.type, f.required])).toEqual([
      ['username', 'text-single', true],
      ['password', 'text-private', true],
      ['email', 'text-single', true],
    ]);
    // §3.1: every element but <instructions/> must be provided.
    expect(missingFields(form, { username: 'bill', password: 'Calliope' }).map((f) => f.var)).toEqual(['email']);
    // §3.1 footnote: an empty password is not provided.
    expect(missingFields(form, { username: 'bill', password: '', email: 'a@b' }).map((f) => f.var)).toEqual(['password']);
    sameXml(buildRegistrationSubmit(form, { username: 'bill', password: 'Calliope', email: 'bard@shakespeare.lit' }), FIELDS_SUBMIT);
  });

  it('reads <registered/> with the information on file (§3.1)', () => {
    const form = ok(parseRegistrationForm(parseXml(ALREADY_REGISTERED)));
    expect(form.registered).toBe(true);
    expect(form.fields.find((f) => f.var === 'username')?.values).toEqual(['juliet']);
  });

  it('prefers the data form and submits it alone (§4, §6)', () => {
    const form = ok(parseRegistrationForm(parseXml(DATA_FORM)));
    expect(form).toMatchObject({ kind: 'data-form', formType: 'jabber:iq:register', title: 'Contest Registration', captcha: false });
    expect(form.instructions).toMatch(/^Please provide the following information/);
    expect(form.fields.find((f) => f.var === 'x-gender')).toMatchObject({
      type: 'list-single',
      required: false,
      options: [
        { label: 'Male', value: 'M' },
        { label: 'Female', value: 'F' },
      ],
    });
    expect(missingFields(form, { first: 'Juliet' }).map((f) => f.label)).toEqual(['Family Name', 'Email Address']);
    const submit = buildRegistrationSubmit(
      form,
      { first: 'Juliet', last: 'Capulet', email: 'juliet@capulet.com', 'x-gender': 'F', username: 'ignored' },
      'contests.shakespeare.lit',
    );
    expect(submittedFields(submit)).toEqual(submittedFields(parseXml(DATA_FORM_SUBMIT)));
    expect(submit.attrs).toMatchObject({ type: 'set', to: 'contests.shakespeare.lit' });
    // §4 rule 5: "MUST NOT submit both the data form and the predefined fields".
    expect(
      submit
        .getChild('query')!
        .getChildElements()
        .map((c) => c.name),
    ).toEqual(['x']);
  });

  it('surfaces a XEP-0158 CAPTCHA form with its media and data, and submits the answer', () => {
    const form = ok(parseRegistrationForm(parseXml(CAPTCHA_FORM)));
    expect(form).toMatchObject({ kind: 'data-form', formType: NS_CAPTCHA, captcha: true, url: 'http://www.victim.com/register.html' });
    expect(form.fields.find((f) => f.var === 'ocr')).toMatchObject({
      type: 'text-single',
      label: 'Enter the text you see',
      media: { width: 290, height: 80, uris: [{ type: 'image/jpeg', uri: 'http://www.victim.com/challenges/ocr.jpeg?F3A6292C' }] },
    });
    expect(form.data).toEqual({
      'sha1+8f35fef110ffc5df08d579a50083ff9308fb6242@bob.xmpp.org': { type: 'image/png', base64: 'iVBORw0KGgo=' },
    });
    sameXml(buildRegistrationSubmit(form, { username: 'bill', password: 'Calliope', ocr: '7nHL3' }), CAPTCHA_SUBMIT, ['id', 'xml:lang']);
  });

  it('builds the password change (§3.3) and the removal (§3.2)', () => {
    sameXml(
      buildPasswordChange('bill', 'shakespeare.lit', 'newpass'),
      `<iq type='set' to='shakespeare.lit' id='change1'><query xmlns='jabber:iq:register'><username>bill</username><password>newpass</password></query></iq>`,
    );
    // §3.2: no 'from' or 'to' with the home server.
    sameXml(buildRemove(), `<iq type='set' id='unreg1'><query xmlns='jabber:iq:register'><remove/></query></iq>`);
  });

  it('reads the §8 stream feature and refuses what is not a registration answer', () => {
    expect(
      offersRegistration(
        parseXml(
          `<stream:features xmlns:stream='http://etherx.jabber.org/streams'><register xmlns='http://jabber.org/features/iq-register'/></stream:features>`,
        ),
      ),
    ).toBe(true);
    expect(offersRegistration(parseXml(`<stream:features xmlns:stream='http://etherx.jabber.org/streams'/>`))).toBe(false);
    expect(parseRegistrationForm(parseXml(`<iq type='result' id='a'/>`))).toHaveProperty('kind', 'stanza-parse-error');
  });

  it('maps the error examples to typed reasons', () => {
    const reasonOf = (xml: string) => {
      const error = registrationErrorOf(new StanzaError(parseXml(xml).getChild('error')!.getChildElements()[0]!.name), 'registration');
      expect(error).toBeInstanceOf(RegistrationError);
      return (error as RegistrationError).reason;
    };
    expect(reasonOf(CONFLICT)).toBe('conflict');
    expect(reasonOf(NOT_ACCEPTABLE)).toBe('not-acceptable');
    for (const [condition, reason] of [
      ['not-allowed', 'not-allowed'],
      ['bad-request', 'not-acceptable'],
      ['service-unavailable', 'unsupported'],
      ['internal-server-error', 'failed'],
    ] as const) {
      expect((registrationErrorOf(new StanzaError(condition), 'x') as RegistrationError).reason).toBe(reason);
    }
    const other = new Error('boom');
    expect(registrationErrorOf(other, 'x')).toBe(other);
  });
});

describe('XEP-0077 requests of a logged-in client', () => {
  it('changes the password and maps a refusal', async () => {
    const fake = fakeServices('bill@shakespeare.lit/globe');
    const done = changePassword(fake.services, { username: 'bill', domain: 'shakespeare.lit' }, 'newpass');
    const [request] = fake.take();
    sameXml(
      request!,
      `<iq type='set' to='shakespeare.lit' id='x'><query xmlns='jabber:iq:register'><username>bill</username><password>newpass</password></query></iq>`,
    );
    fake.reply(request!);
    await done;

    const refused = changePassword(fake.services, { username: 'bill', domain: 'shakespeare.lit' }, 'newpass');
    // §3.3: "Server Informs Client of Failed Password Change (Not Allowed)".
    fake.reply(
      fake.take()[0]!,
      `<error code='405' type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`,
      'error',
    );
    await expect(refused).rejects.toMatchObject({ name: 'RegistrationError', reason: 'not-allowed', condition: 'not-allowed' });
    await expect(changePassword(fake.services, { username: 'bill', domain: 'shakespeare.lit' }, '')).rejects.toMatchObject({
      reason: 'not-acceptable',
    });
    expect(fake.take()).toEqual([]);
  });

  it('deletes the account', async () => {
    const fake = fakeServices('bill@shakespeare.lit/globe');
    const done = deleteAccount(fake.services);
    const [request] = fake.take();
    expect(request!.getChild('query', NS_REGISTER)!.getChild('remove')).toBeDefined();
    expect(request!.attrs.to).toBeUndefined();
    fake.reply(request!);
    await done;
    const refused = deleteAccount(fake.services);
    fake.reply(
      fake.take()[0]!,
      `<error code='405' type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>`,
      'error',
    );
    await expect(refused).rejects.toMatchObject({ reason: 'not-allowed' });
  });

  it('sends a password only over an encrypted or loopback link, or when allowed', () => {
    expect(() => assertPasswordMayBeSent({ secure: true, host: 'example.org', allowPlainOverInsecure: false })).not.toThrow();
    expect(() => assertPasswordMayBeSent({ secure: false, host: '127.0.0.1', allowPlainOverInsecure: false })).not.toThrow();
    expect(() => assertPasswordMayBeSent({ secure: false, host: 'example.org', allowPlainOverInsecure: true })).not.toThrow();
    expect(() => assertPasswordMayBeSent({ secure: false, host: 'example.org', allowPlainOverInsecure: false })).toThrow(
      expect.objectContaining({ reason: 'insecure' }),
    );
  });
});

/**
 * A scripted XMPP server over TCP for the pre-login steps: answers the stream header with `features`
 * and each IQ with what `answer` returns, and records what the client wrote.
 */
function scriptedServer(features: string, answer: (iq: string, id: string) => string | undefined) {
  const written: string[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      written.push(chunk.toString('utf8'));
      if (buffer.includes('<stream:stream') && !buffer.includes('</stream:stream>') && buffer.includes('>')) {
        buffer = buffer.replace(/<\?xml[^>]*\?>/, '');
        if (/<stream:stream[^>]*>/.test(buffer)) {
          buffer = buffer.replace(/<stream:stream[^>]*>/, '');
          socket.write(
            `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='localhost' version='1.0'><stream:features>${features}</stream:features>`,
          );
        }
      }
      for (
        let m = /<iq [^>]*id=["']([^"']+)["'][^>]*(?:\/>|>[\s\S]*?<\/iq>)/.exec(buffer);
        m;
        m = /<iq [^>]*id=["']([^"']+)["'][^>]*(?:\/>|>[\s\S]*?<\/iq>)/.exec(buffer)
      ) {
        buffer = buffer.slice(m.index + m[0].length);
        const reply = answer(m[0], m[1]!);
        if (reply !== undefined) socket.write(reply);
      }
      if (buffer.includes('</stream:stream>')) {
        socket.end('</stream:stream>');
      }
    });
    socket.on('error', () => {});
  });
  return {
    written,
    listen: (host: string) =>
      new Promise<number>((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port))),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const REGISTER_FEATURE = `<register xmlns='http://jabber.org/features/iq-register'/>`;
const servers: Array<ReturnType<typeof scriptedServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(features: string, answer: (iq: string, id: string) => string | undefined, host = '127.0.0.1') {
  const server = scriptedServer(features, answer);
  servers.push(server);
  const port = await server.listen(host);
  return { server, service: `xmpp://${host}:${port}` };
}

describe('registerAccount over a scripted stream', () => {
  it('checks options before any I/O', async () => {
    await expect(registerAccount({ service: 'ftp://x', username: 'a', password: 'b' })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(registerAccount({ service: 'xmpp://127.0.0.1:1', username: '', password: 'b' })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
  });

  it('is unsupported without the stream feature, and sends nothing', async () => {
    const { server, service } = await serve('', () => undefined);
    await expect(registerAccount({ service, domain: 'localhost', username: 'bill', password: 'Calliope' })).rejects.toMatchObject({
      name: 'RegistrationError',
      reason: 'unsupported',
    });
    expect(server.written.join('')).not.toContain('jabber:iq:register');
  });

  it('registers with the plain fields, and reports conflict and registration closed', async () => {
    let outcome = 'ok';
    const { server, service } = await serve(REGISTER_FEATURE, (iq, id) => {
      if (iq.includes(`type="get"`))
        return `<iq type='result' id='${id}'><query xmlns='jabber:iq:register'><username/><password/></query></iq>`;
      if (outcome === 'ok') return `<iq type='result' id='${id}'/>`;
      return `<iq type='error' id='${id}'><error type='cancel'><${outcome} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`;
    });
    await expect(registerAccount({ service, domain: 'localhost', username: 'Bill', password: 'Calliope' })).resolves.toEqual({
      status: 'registered',
      jid: 'bill@localhost',
    });
    expect(server.written.join('')).toMatch(/<username>Bill<\/username><password>Calliope<\/password>/);
    outcome = 'conflict';
    await expect(registerAccount({ service, domain: 'localhost', username: 'bill', password: 'x' })).rejects.toMatchObject({
      reason: 'conflict',
    });
    outcome = 'not-allowed';
    await expect(registerAccount({ service, domain: 'localhost', username: 'bill', password: 'x' })).rejects.toMatchObject({
      reason: 'not-allowed',
    });
  });

  it('returns a CAPTCHA form and registers with the answer on the same stream', async () => {
    const form = parseXml(CAPTCHA_FORM).getChild('query')!.toString();
    let streams = 0;
    const { server, service } = await serve(REGISTER_FEATURE, (iq, id) => {
      if (iq.includes(`type="get"`)) {
        streams++;
        return `<iq type='result' id='${id}'>${form}</iq>`;
      }
      return iq.includes('<value>7nHL3</value>')
        ? `<iq type='result' id='${id}'/>`
        : `<iq type='error' id='${id}'><error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`;
    });
    const first = await registerAccount({ service, domain: 'localhost', username: 'bill', password: 'Calliope' });
    if (first.status !== 'needs-form') throw new Error('expected a form');
    expect(first.form.captcha).toBe(true);
    expect(first.missing.map((f) => f.var)).toEqual(['ocr', 'SHA-256']);
    await expect(first.submit({})).rejects.toMatchObject({ reason: 'not-acceptable' });
    await expect(first.submit({ ocr: '7nHL3' })).resolves.toEqual({ status: 'registered', jid: 'bill@localhost' });
    expect(streams).toBe(1);
    expect(server.written.join('')).toContain('<field var="challenge"><value>F3A6292C</value></field>');
    await expect(first.submit({ ocr: '7nHL3' })).rejects.toMatchObject({ code: 'stopped' });

    // An answer given up front is submitted at once; a wrong one is not-acceptable (XEP-0158 §3.3).
    await expect(
      registerAccount({ service, domain: 'localhost', username: 'bill', password: 'Calliope', fields: { ocr: 'nope' } }),
    ).rejects.toMatchObject({ reason: 'not-acceptable', condition: 'not-acceptable' });
  });

  it('refuses to send the password over an unencrypted link to a non-loopback host', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (address === undefined) return; // no non-loopback interface on this machine
    const { server, service } = await serve(REGISTER_FEATURE, () => undefined, address);
    await expect(registerAccount({ service, domain: 'localhost', username: 'bill', password: 'Calliope' })).rejects.toMatchObject({
      reason: 'insecure',
    });
    expect(server.written.join('')).not.toContain('Calliope');
  });
});

import type { Element } from '@xmpp/xml';
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createXmppClient, selectConnection, type FastToken, type XmppClient, type XmppClientOptions } from '../../../src/index.js';
import { startScriptedServer, streamHeader, type ScriptedConnection, type ScriptedServer } from '../../support/scripted-server.js';

// FAST (XEP-0484) over SASL2 (XEP-0388) and Bind2 (XEP-0386) against a scripted server: the
// Debian Prosody 0.12 cannot advertise FAST (its mod_sasl2_fast reads a stream-features field that
// only newer Prosody sets), so the server side of the protocol is played here, with its own HMACs.

const DOMAIN = 'example.test';
const USER = 'alice';
const PASSWORD = 'secret';
const NS_SASL2 = 'urn:xmpp:sasl:2';
const NS_FAST = 'urn:xmpp:fast:0';

const hmac = (token: string, label: string) => createHmac('sha256', token).update(label).digest();
const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');

interface Login {
  mechanism: string;
  userAgentId: string | undefined;
  withFast: boolean;
  requestedToken: string | undefined;
  bindTag: string | undefined;
  from: string | undefined;
}

/** A server that offers PLAIN and HT-SHA-256-NONE, hands out tokens and can revoke them. */
function fastServerScript(options: { forgeResponder?: boolean; identity?: string; continueWith?: string } = {}) {
  const logins: Login[] = [];
  const tokens = new Map<string, string>(); // token → user-agent id
  let issued = 0;
  const script = {
    logins,
    tokens,
    revokeAll: () => tokens.clear(),
    onOpen(c: ScriptedConnection) {
      c.write(
        streamHeader(DOMAIN) +
          `<stream:features><authentication xmlns='${NS_SASL2}'><mechanism>PLAIN</mechanism><inline>` +
          `<bind xmlns='urn:xmpp:bind:0'/><fast xmlns='${NS_FAST}'><mechanism>HT-SHA-256-NONE</mechanism></fast>` +
          `</inline></authentication></stream:features>`,
      );
    },
    onElement(el: Element, c: ScriptedConnection) {
      if (el.name === 'authenticate') return authenticate(el, c);
      // After login: every request gets an error, which the client's features take in stride.
      if (el.name === 'iq' && (el.attrs.type === 'get' || el.attrs.type === 'set')) {
        c.write(
          `<iq type='error' id='${el.attrs.id}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
        );
      }
    },
  };
  function authenticate(el: Element, c: ScriptedConnection) {
    const userAgentId: string | undefined = el.getChild('user-agent')?.attrs.id;
    const login: Login = {
      mechanism: String(el.attrs.mechanism),
      userAgentId,
      withFast: el.getChild('fast', NS_FAST) !== undefined,
      requestedToken: el.getChild('request-token', NS_FAST)?.attrs.mechanism,
      bindTag: el.getChild('bind', 'urn:xmpp:bind:0')?.getChildText('tag') ?? undefined,
      from: c.header.from,
    };
    logins.push(login);
    const initial = Buffer.from(el.getChildText('initial-response') ?? '', 'base64');
    let additional: Buffer | undefined;
    if (login.mechanism === 'PLAIN') {
      if (initial.toString() !== `\0${USER}\0${PASSWORD}`) return fail(c, 'not-authorized');
    } else if (login.mechanism === 'HT-SHA-256-NONE') {
      const cut = initial.indexOf(0);
      const name = initial.subarray(0, cut).toString();
      const proof = initial.subarray(cut + 1);
      const token = [...tokens.keys()].find((t) => hmac(t, 'Initiator').equals(proof));
      if (name !== USER || !token || !login.withFast || tokens.get(token) !== userAgentId) return fail(c, 'credentials-expired');
      additional = options.forgeResponder ? Buffer.alloc(32) : hmac(token, 'Responder');
    } else {
      return fail(c, 'invalid-mechanism');
    }
    if (options.continueWith) {
      c.write(`<continue xmlns='${NS_SASL2}'><tasks><task>${options.continueWith}</task></tasks><text>second factor</text></continue>`);
      return;
    }
    let tokenElement = '';
    if (login.requestedToken && userAgentId) {
      const token = `token-${++issued}`;
      tokens.set(token, userAgentId);
      tokenElement = `<token xmlns='${NS_FAST}' token='${token}' expiry='2099-01-01T00:00:00Z'/>`;
    }
    const resource = `${login.bindTag ?? 'res'}~${logins.length}`;
    c.write(
      `<success xmlns='${NS_SASL2}'>` +
        (additional ? `<additional-data>${b64(additional)}</additional-data>` : '') +
        `<authorization-identifier>${options.identity ?? `${USER}@${DOMAIN}/${resource}`}</authorization-identifier>` +
        `<bound xmlns='urn:xmpp:bind:0'/>${tokenElement}</success><stream:features/>`,
    );
  }
  function fail(c: ScriptedConnection, condition: string) {
    c.write(`<failure xmlns='${NS_SASL2}'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></failure>`);
  }
  return script;
}

let server: ScriptedServer | undefined;
let client: XmppClient | undefined;
afterEach(async () => {
  await client?.stop().catch(() => {});
  await server?.close();
  client = server = undefined;
});

async function setUp(options?: Parameters<typeof fastServerScript>[0], clientOptions: Partial<XmppClientOptions> = {}) {
  const script = fastServerScript(options);
  server = await startScriptedServer(script);
  client = createXmppClient({
    service: `xmpp://127.0.0.1:${server.port}`,
    domain: DOMAIN,
    username: USER,
    password: PASSWORD,
    reconnect: { minDelay: 20, maxDelay: 50 },
    ...clientOptions,
  });
  return { script, client };
}

function dropAndWaitOnline(c: XmppClient): Promise<void> {
  return new Promise((resolve) => {
    let dropped = false;
    const off = c.on('status', ({ connection }) => {
      if (connection.status === 'reconnecting') dropped = true;
      if (dropped && connection.status === 'online') {
        off();
        resolve();
      }
    });
    c.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
  });
}

describe('FAST: token login over SASL2', () => {
  it('asks for a token at the password login, then logs in with the token alone after a drop', async () => {
    const { script, client: c } = await setUp();
    const view = await c.start();
    expect(view.mechanism).toBe('PLAIN');
    expect(view.jid).toBe(`${USER}@${DOMAIN}/xmpp-adapter~1`);
    await dropAndWaitOnline(c);
    expect(selectConnection(c.getSnapshot()).mechanism).toBe('HT-SHA-256-NONE');
    const [first, second] = script.logins;
    expect(first).toMatchObject({ mechanism: 'PLAIN', requestedToken: 'HT-SHA-256-NONE', withFast: false, bindTag: 'xmpp-adapter' });
    expect(second).toMatchObject({ mechanism: 'HT-SHA-256-NONE', requestedToken: undefined, withFast: true });
    // XEP-0484 §5.1: the same user-agent id, and the account in the stream header's 'from'.
    expect(second!.userAgentId).toBe(first!.userAgentId);
    expect(first!.userAgentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first!.from).toBe(`${USER}@${DOMAIN}`);
  });

  it('drops a refused token and logs in with the password again, asking for a new token', async () => {
    const { script, client: c } = await setUp();
    await c.start();
    script.revokeAll();
    await dropAndWaitOnline(c);
    expect(script.logins.map((l) => l.mechanism)).toEqual(['PLAIN', 'HT-SHA-256-NONE', 'PLAIN']);
    expect(script.logins[2]!.requestedToken).toBe('HT-SHA-256-NONE');
    expect(selectConnection(c.getSnapshot())).toMatchObject({ status: 'online', mechanism: 'PLAIN' });
  });

  it('refuses a success whose server proof does not match the token (a server that does not know it)', async () => {
    const { script, client: c } = await setUp({ forgeResponder: true });
    await c.start();
    const ended = new Promise<void>((resolve) => {
      const off = c.on('status', ({ connection }) => {
        if (connection.status !== 'authFailed') return;
        off();
        resolve();
      });
    });
    c.actor.system.get('transport')!.send({ type: 'transport.abort', reason: { kind: 'network', message: 'test cut' } });
    await ended;
    expect(script.logins.map((l) => l.mechanism)).toEqual(['PLAIN', 'HT-SHA-256-NONE']);
    expect(selectConnection(c.getSnapshot()).error).toMatchObject({ condition: 'server-verification-failed' });
  });
});

describe('SASL2 outcomes a client must not accept', () => {
  it('never goes online when the success names another account', async () => {
    const { script, client: c } = await setUp({ identity: `mallory@${DOMAIN}/x` });
    const statuses: string[] = [];
    c.on('status', ({ connection }) => statuses.push(connection.status));
    void c.start().catch(() => {});
    await expect.poll(() => script.logins.length, { timeout: 3000 }).toBeGreaterThanOrEqual(2);
    expect(statuses).not.toContain('online');
    expect(statuses).toContain('reconnecting');
  });

  it('ends in authFailed naming the task when the server asks for one it cannot do', async () => {
    const { client: c } = await setUp({ continueWith: 'TOTP-EXAMPLE' });
    await expect(c.start()).rejects.toThrow();
    expect(selectConnection(c.getSnapshot())).toMatchObject({
      status: 'authFailed',
      error: { condition: 'task-unsupported', text: expect.stringContaining('TOTP-EXAMPLE') },
    });
  });
});

describe('FAST tokens the app keeps', () => {
  it('hands each new token to onToken, and a later client logs in with it and no password at all', async () => {
    const saved: Array<FastToken | undefined> = [];
    const userAgentId = 'b7e1f0c2-0000-4000-8000-000000000001';
    const { script, client: first } = await setUp(undefined, { fast: { userAgentId, onToken: (t) => saved.push(t) } });
    await first.start();
    expect(saved).toEqual([{ mechanism: 'HT-SHA-256-NONE', token: 'token-1', expiry: '2099-01-01T00:00:00Z' }]);
    await first.stop();

    const second = createXmppClient({
      service: `xmpp://127.0.0.1:${server!.port}`,
      domain: DOMAIN,
      username: USER,
      fast: { userAgentId, token: saved[0] },
    });
    client = second;
    const view = await second.start();
    expect(view.mechanism).toBe('HT-SHA-256-NONE');
    expect(script.logins.map((l) => [l.mechanism, l.userAgentId])).toEqual([
      ['PLAIN', userAgentId],
      ['HT-SHA-256-NONE', userAgentId],
    ]);
  });

  it('without a password, a refused token ends in authFailed (credentials-expired) and onToken hears undefined', async () => {
    const saved: Array<FastToken | undefined> = [];
    const token = { mechanism: 'HT-SHA-256-NONE', token: 'never-issued', expiry: '2099-01-01T00:00:00Z' };
    const { client: c } = await setUp(undefined, { password: undefined, fast: { token, onToken: (t) => saved.push(t) } });
    await expect(c.start()).rejects.toThrow();
    expect(selectConnection(c.getSnapshot())).toMatchObject({ status: 'authFailed', error: { condition: 'credentials-expired' } });
    expect(saved).toEqual([undefined]);
  });

  it('asks for no token with fast: false', async () => {
    const { script, client: c } = await setUp(undefined, { fast: false });
    await c.start();
    expect(script.logins[0]).toMatchObject({ mechanism: 'PLAIN', requestedToken: undefined });
  });
});

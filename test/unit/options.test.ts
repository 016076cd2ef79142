import { describe, expect, it } from 'vitest';
import { resolveOptions, type XmppClientOptions } from '../../src/client/options.js';
import { InvalidOptionsError } from '../../src/errors.js';

const base: XmppClientOptions = { service: 'wss://chat.example.org/ws', username: 'alice', password: 'secret' };

describe('options', () => {
  it('fills in defaults and derives the domain from the service', () => {
    const o = resolveOptions(base);
    expect(o).toMatchObject({
      domain: 'chat.example.org',
      scheme: 'wss:',
      reconnect: { minDelay: 1000, maxDelay: 30_000 },
      allowPlainOverInsecure: false,
      limits: { maxStanzaBytes: 1024 * 1024, messagesInMemory: 10_000 },
    });
    expect(resolveOptions({ ...base, limits: { messagesInMemory: 500 } }).limits).toEqual({
      maxStanzaBytes: 1024 * 1024,
      messagesInMemory: 500,
    });
  });

  it.each([
    [{ ...base, service: '' }, 'service'],
    [{ ...base, service: 'not a url' }, 'service'],
    [{ ...base, service: 'http://example.org' }, 'service'],
    [{ ...base, domain: 'bad domain' }, 'domain'],
    [{ ...base, username: 'al@ice' }, 'username'],
    [{ ...base, username: '' }, 'username'],
    [{ ...base, password: '' }, 'password'],
    [{ ...base, resource: '' }, 'resource'],
    [{ ...base, reconnect: { minDelay: -1 } }, 'reconnect.minDelay'],
    [{ ...base, reconnect: { minDelay: 5000, maxDelay: 1000 } }, 'reconnect.maxDelay'],
    [{ ...base, mechanisms: [] }, 'mechanisms'],
    [{ ...base, mechanisms: ['DIGEST-MD5'] }, 'mechanisms'],
    [{ ...base, limits: { maxStanzaBytes: 0 } }, 'limits.maxStanzaBytes'],
    [{ ...base, limits: { messagesInMemory: 2.5 } }, 'limits.messagesInMemory'],
  ] as const)('rejects %o naming the option', (options, option) => {
    let error: unknown;
    try {
      resolveOptions(options as XmppClientOptions);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe(option);
    expect((error as InvalidOptionsError).message).toContain(option);
  });

  it('takes FAST settings, and no password when a saved token is given', () => {
    const token = { mechanism: 'HT-SHA-256-NONE', token: 't', expiry: '2099-01-01T00:00:00Z' };
    expect(resolveOptions(base).fast).toMatchObject({ enabled: true, token: undefined });
    expect(resolveOptions({ ...base, fast: false }).fast.enabled).toBe(false);
    const tokenOnly = resolveOptions({ ...base, password: undefined, fast: { token, userAgentId: 'device-1' } });
    expect(tokenOnly).toMatchObject({ password: undefined, fast: { enabled: true, token, userAgentId: 'device-1' } });
    expect(() => resolveOptions({ ...base, password: undefined })).toThrow(InvalidOptionsError);
    expect(() => resolveOptions({ ...base, fast: { token: { ...token, token: '' } } })).toThrow(/fast\.token/);
    expect(() => resolveOptions({ ...base, fast: { userAgentId: ' ' } })).toThrow(/fast\.userAgentId/);
    expect(() => resolveOptions({ ...base, fast: { onToken: 'save' as never } })).toThrow(/fast\.onToken/);
  });

  it('accepts every supported scheme', () => {
    for (const service of ['ws://127.0.0.1:5280/xmpp-websocket', 'wss://a.example/ws', 'xmpp://127.0.0.1:5222', 'xmpps://a.example:5223']) {
      expect(resolveOptions({ ...base, service, domain: 'example.org' }).service).toBe(service);
    }
  });

  describe('without a service', () => {
    const bare: XmppClientOptions = { domain: 'Example.ORG', username: 'alice', password: 'secret' };

    it('finds the service of the domain at each attempt', () => {
      expect(resolveOptions(bare)).toMatchObject({
        discover: true,
        service: 'xmpp://example.org',
        host: 'example.org',
        domain: 'example.org',
        dns: { servers: undefined },
      });
      expect(resolveOptions(base).discover).toBe(false);
    });

    it('takes DNS servers for the SRV queries', () => {
      const servers = ['127.0.0.1:5353', '192.0.2.53', '[::1]:5353', '2001:db8::53'];
      expect(resolveOptions({ ...bare, dns: { servers } }).dns.servers).toEqual(servers);
    });

    it.each([
      [{ username: 'alice', password: 'secret' }, 'service'],
      [{ ...bare, domain: '' }, 'domain'],
      [{ ...bare, domain: 'bad domain' }, 'domain'],
      [{ ...bare, dns: { servers: [] } }, 'dns.servers'],
      [{ ...bare, dns: { servers: ['dns.example.org'] } }, 'dns.servers'],
      [{ ...bare, dns: { servers: [53] } }, 'dns.servers'],
    ] as const)('rejects %o naming the option', (options, option) => {
      let error: unknown;
      try {
        resolveOptions(options as unknown as XmppClientOptions);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe(option);
    });
  });
});

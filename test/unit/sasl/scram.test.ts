import { describe, expect, it } from 'vitest';
import { chooseMechanism } from '../../../src/sasl/mechanism.js';
import { createScramExchange, escapeSaslName, type ScramCache } from '../../../src/sasl/scram.js';

// Test vectors: RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3 (SCRAM-SHA-256).
const vectors = [
  {
    hash: 'SHA-1' as const,
    nonce: 'fyko+d2lbbFgONRv9qkxdawL',
    serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
    serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
  },
  {
    hash: 'SHA-256' as const,
    nonce: 'rOprNGfwEbeRWgbNEkqO',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  },
];

describe('SCRAM', () => {
  for (const v of vectors) {
    it(`reproduces the RFC exchange for SCRAM-${v.hash}`, async () => {
      const cache: ScramCache = new Map();
      const exchange = createScramExchange({ hash: v.hash, credentials: { username: 'user', password: 'pencil' }, cache, nonce: v.nonce });
      expect(await exchange.initial()).toBe(`n,,n=user,r=${v.nonce}`);
      expect(await exchange.respond(v.serverFirst)).toBe(v.clientFinal);
      await expect(exchange.verifySuccess(v.serverFinal)).resolves.toBeUndefined();
      expect(cache.size).toBe(1);
    });

    it(`rejects a wrong server signature for SCRAM-${v.hash}`, async () => {
      const exchange = createScramExchange({
        hash: v.hash,
        credentials: { username: 'user', password: 'pencil' },
        cache: new Map(),
        nonce: v.nonce,
      });
      await exchange.respond(v.serverFirst);
      await expect(exchange.verifySuccess('v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).rejects.toThrow(/does not verify/);
      await expect(exchange.verifySuccess(undefined)).rejects.toThrow(/without a server signature/);
    });
  }

  it('reuses the cached salted password on the next login of the same session', async () => {
    const cache: ScramCache = new Map();
    const v = vectors[0]!;
    const first = createScramExchange({ hash: v.hash, credentials: { username: 'user', password: 'pencil' }, cache, nonce: v.nonce });
    await first.respond(v.serverFirst);
    const stored = [...cache.values()][0];
    const second = createScramExchange({ hash: v.hash, credentials: { username: 'user', password: 'pencil' }, cache, nonce: v.nonce });
    expect(await second.respond(v.serverFirst)).toBe(v.clientFinal);
    expect([...cache.values()][0]).toBe(stored);
  });

  it('refuses hostile server-first messages', async () => {
    const make = () =>
      createScramExchange({ hash: 'SHA-1', credentials: { username: 'u', password: 'p' }, cache: new Map(), nonce: 'abc' });
    await expect(make().respond('r=zzz,s=QSXCR+Q6sek8bf92,i=4096')).rejects.toThrow(/nonce/);
    await expect(make().respond('r=abc,s=QSXCR+Q6sek8bf92,i=4096')).rejects.toThrow(/nonce/);
    await expect(make().respond('r=abcdef,s=,i=4096')).rejects.toThrow(/salt/);
    await expect(make().respond('r=abcdef,s=QSXCR+Q6sek8bf92,i=1')).rejects.toThrow(/iteration/);
    await expect(make().respond('r=abcdef,s=QSXCR+Q6sek8bf92,i=999999999')).rejects.toThrow(/iteration/);
    await expect(make().respond('m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096')).rejects.toThrow(/extension/);
  });

  it('escapes = and , in the username (RFC 5802 §5.1)', () => {
    expect(escapeSaslName('a=b,c')).toBe('a=3Db=2Cc');
  });
});

describe('mechanism choice', () => {
  it('prefers the strongest offered mechanism', () => {
    expect(chooseMechanism(['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'], false).mechanism).toBe('SCRAM-SHA-256');
    expect(chooseMechanism(['PLAIN', 'SCRAM-SHA-1'], false).mechanism).toBe('SCRAM-SHA-1');
  });

  it('never falls back to PLAIN on an insecure link unless allowed', () => {
    const refused = chooseMechanism(['PLAIN'], false);
    expect(refused.mechanism).toBeUndefined();
    expect(refused.refused).toMatch(/not encrypted/);
    expect(chooseMechanism(['PLAIN'], true).mechanism).toBe('PLAIN');
  });

  it('uses only the mechanisms the app allows', () => {
    expect(chooseMechanism(['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'], true, ['PLAIN']).mechanism).toBe('PLAIN');
    expect(chooseMechanism(['PLAIN', 'SCRAM-SHA-1'], true, ['SCRAM-SHA-256']).refused).toMatch(/no supported mechanism/);
  });

  it('reports when nothing usable is offered', () => {
    expect(chooseMechanism(['X-OAUTH2', 'DIGEST-MD5'], true).refused).toMatch(/no supported mechanism/);
  });
});

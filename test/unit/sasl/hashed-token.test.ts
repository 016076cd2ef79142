import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHashedTokenExchange, HT_SHA_256_NONE } from '../../../src/sasl/hashed-token.js';

const hmac = (token: string, label: string) => new Uint8Array(createHmac('sha256', token).update(label).digest());

describe('HT-SHA-256-NONE', () => {
  it('sends the username, a NUL and HMAC-SHA-256(token, "Initiator"), computed independently here', async () => {
    const exchange = createHashedTokenExchange('juliet', 'secret-token:fast-abc');
    expect(exchange.name).toBe(HT_SHA_256_NONE);
    const initial = await exchange.initial();
    expect(Buffer.from(initial.subarray(0, 7)).toString('latin1')).toBe('juliet\0');
    expect([...initial.subarray(7)]).toEqual([...hmac('secret-token:fast-abc', 'Initiator')]);
  });

  it('accepts only the server proof HMAC-SHA-256(token, "Responder")', async () => {
    const exchange = createHashedTokenExchange('juliet', 'tok');
    await expect(exchange.verifySuccess(hmac('tok', 'Responder'))).resolves.toBeUndefined();
    await expect(exchange.verifySuccess(hmac('tok', 'Initiator'))).rejects.toThrow(/prove/);
    await expect(exchange.verifySuccess(hmac('other', 'Responder'))).rejects.toThrow(/prove/);
    await expect(exchange.verifySuccess(undefined)).rejects.toThrow(/prove/);
  });

  it('takes no challenge', async () => {
    await expect(createHashedTokenExchange('juliet', 'tok').respond(new Uint8Array([1]))).rejects.toThrow(/no challenge/);
  });
});

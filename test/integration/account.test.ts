import { afterEach, describe, expect, it } from 'vitest';
import { createAccountApi } from '../../src/client/account-api.js';
import { register, RegistrationError } from '../../src/client/register.js';
import { PROSODY_DOMAIN, PROSODY_HOST, TCP_URL, WS_URL, uniqueUser, type TestUser } from '../../scripts/prosody.js';
import { newTestUser } from '../../scripts/server-control.js';
import { observedClient, type ObservedClient } from '../support/client.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

function client(user: TestUser, service = TCP_URL): ObservedClient {
  const c = observedClient(user, service, { reconnect: { minDelay: 60_000, maxDelay: 60_000 } });
  running.push(c);
  return c;
}

function accountOf(c: ObservedClient) {
  return createAccountApi(c.client.actor, c.client.services, () => true, { host: PROSODY_HOST, allowPlainOverInsecure: false });
}

/** Logs in and reports how it ended: `online`, or the SASL condition of `authFailed`. */
async function login(user: TestUser): Promise<string> {
  const c = client(user);
  try {
    await c.client.start();
    return 'online';
  } catch {
    const view = c.client.getSnapshot().context.connection;
    return view.error && 'condition' in view.error ? String(view.error.condition) : view.status;
  }
}

describe('XEP-0077 In-Band Registration against the local Prosody', () => {
  it('registers a new account over TCP and over WebSocket, and logs in with each', async () => {
    for (const service of [TCP_URL, WS_URL]) {
      const user = newTestUser('ibr', PROSODY_DOMAIN);
      const result = await register({ service, domain: PROSODY_DOMAIN, username: user.username, password: user.password });
      expect(result).toEqual({ status: 'registered', jid: user.jid });
      expect(await login(user)).toBe('online');
    }
  });

  it('client.register() creates the account from the options of the client, before its first login', async () => {
    const user = newTestUser('ibrclient', PROSODY_DOMAIN);
    const c = client(user);
    await expect(c.client.register()).resolves.toEqual({ status: 'registered', jid: user.jid });
    await expect(c.client.start()).resolves.toMatchObject({ status: 'online' });
    await expect(c.client.register()).rejects.toMatchObject({ reason: 'conflict' });
  });

  it('reports conflict for a taken name, and keeps the existing account', async () => {
    const user = await uniqueUser('taken');
    const error = await register({ service: TCP_URL, domain: PROSODY_DOMAIN, username: user.username, password: 'other-password' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error).toMatchObject({ reason: 'conflict', condition: 'conflict', code: 'stanza-error' });
    expect(await login(user)).toBe('online');
  });

  it('changes the password: the new one logs in, the old one no longer does', async () => {
    const user = await uniqueUser('chpw');
    const c = client(user);
    await c.client.start();
    await accountOf(c).changePassword('a-new-password');
    await c.client.stop();
    expect(await login({ ...user, password: 'a-new-password' })).toBe('online');
    expect(await login(user)).toBe('not-authorized');
  });

  it('deletes the account: the session ends and logging in fails', async () => {
    const user = newTestUser('gone', PROSODY_DOMAIN);
    await register({ service: TCP_URL, domain: PROSODY_DOMAIN, username: user.username, password: user.password });
    const c = client(user);
    await c.client.start();
    await accountOf(c).delete();
    // §3.2: the server ends the account's sessions.
    await expect.poll(() => c.client.getSnapshot().context.connection.status, { timeout: 10_000 }).not.toBe('online');
    expect(await login(user)).toBe('not-authorized');
    // The name is free again.
    await expect(register({ service: TCP_URL, domain: PROSODY_DOMAIN, username: user.username, password: 'again' })).resolves.toMatchObject(
      {
        status: 'registered',
      },
    );
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { observedClient, type ObservedClient } from '../support/client.js';
import { EJABBERD_MUC_DOMAIN, EJABBERD_TCP_URL, NS_MUCSUB, uniqueEjabberdUser } from '../../scripts/ejabberd.js';

const running: ObservedClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.client.stop()));
});

describe('the local ejabberd (second test server)', () => {
  it('logs in over TCP and its MUC service advertises MucSub', async () => {
    const user = await uniqueEjabberdUser('ej');
    const c = observedClient(user, EJABBERD_TCP_URL);
    running.push(c);
    const view = await c.client.start();
    expect(view.status).toBe('online');
    expect(view.jid?.startsWith(`${user.jid}/`)).toBe(true);

    const info = await c.client.disco.info(EJABBERD_MUC_DOMAIN);
    expect(info.identities).toContainEqual(expect.objectContaining({ category: 'conference', type: 'text' }));
    expect(info.features).toEqual(expect.arrayContaining(['http://jabber.org/protocol/muc', NS_MUCSUB]));
  });
});

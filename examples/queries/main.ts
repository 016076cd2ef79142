/**
 * Service discovery, ping, entity time and software version between two clients on the local
 * Prosody, plus what the feature actors learned on their own (server features, verified caps).
 *
 *   npm run example:queries
 */
import { waitFor, type SnapshotFrom } from 'xstate';
import { connectCaps, connectDisco, connectPing, createXmppClient, type XmppClient } from '../../src/index.js';
import type { CapsLogic } from '../../src/xeps/caps/index.js';
import type { DiscoLogic } from '../../src/xeps/disco/index.js';
import type { PingLogic } from '../../src/xeps/ping/index.js';
import { PROSODY_DOMAIN, TCP_URL, WS_URL, registerUser, startProsody } from '../../scripts/prosody.js';

async function connect(username: string, service: string): Promise<{ client: XmppClient; jid: string }> {
  const password = `${username}-password`;
  await registerUser(username, password, PROSODY_DOMAIN);
  const client = createXmppClient({ service, domain: PROSODY_DOMAIN, username, password, keepalive: { interval: 1000, timeout: 5000 } });
  const view = await client.start();
  return { client, jid: view.jid! };
}

async function main() {
  await startProsody();
  const alice = await connect('demo-queries-alice', TCP_URL);
  const bob = await connect('demo-queries-bob', WS_URL);

  const info = await alice.client.disco.info(bob.jid);
  console.log(`bob's client is ${info.identities.map((i) => `${i.category}/${i.type} "${i.name ?? ''}"`).join(', ')}`);
  console.log(`  and supports ${info.features.length} features, e.g. ${info.features.slice(0, 4).join(', ')}`);
  console.log(
    `ping to bob: ${(await alice.client.ping(bob.jid)).toFixed(1)} ms; to the server: ${(await alice.client.ping()).toFixed(1)} ms`,
  );
  const time = await alice.client.time(bob.jid);
  console.log(`bob's clock: ${time.utc} (offset ${time.tzo})`);
  const version = await alice.client.version(PROSODY_DOMAIN);
  console.log(`the server runs ${version.name} ${version.version}${version.os ? ` on ${version.os}` : ''}`);

  // The feature actors keep what they learn; UIs bind to them with the connect helpers.
  const disco = (await waitFor(
    alice.client.actor.system.get('disco')!,
    (s) => connectDisco(s as SnapshotFrom<DiscoLogic>).status === 'ready',
  )) as SnapshotFrom<DiscoLogic>;
  console.log(`server features known to alice's disco actor: ${connectDisco(disco).serverFeatures.length}`);
  const caps = alice.client.actor.system.get('caps')!.getSnapshot() as SnapshotFrom<CapsLogic>;
  console.log(`alice's own caps ver: ${connectCaps(caps).ownVer}`);
  const ping = (await waitFor(
    alice.client.actor.system.get('ping')!,
    (s) => connectPing(s as SnapshotFrom<PingLogic>).lastRttMs !== undefined,
  )) as SnapshotFrom<PingLogic>;
  console.log(`keepalive: last round trip ${connectPing(ping).lastRttMs?.toFixed(1)} ms`);

  await Promise.all([alice.client.stop(), bob.client.stop()]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

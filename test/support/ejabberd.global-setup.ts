/**
 * Vitest `globalSetup`: makes sure the local ejabberd (the second test server) is running before
 * integration tests, beside Prosody (prosody.global-setup.ts).
 *
 * - `XMPP_ADAPTER_EJABBERD=external`: someone else manages the server; only check that it is reachable.
 * - otherwise: start it via scripts/ejabberd.sh, and stop it after the run only if this setup started it
 *   (a server started by hand or by CI is left alone).
 */
import { EJABBERD_TCP_URL, EJABBERD_WS_URL, isEjabberdUp, startEjabberd, stopEjabberd } from '../../scripts/ejabberd.js';

export default async function ejabberdGlobalSetup(): Promise<() => Promise<void>> {
  if (process.env['XMPP_ADAPTER_EJABBERD'] === 'external') {
    if (!(await isEjabberdUp())) {
      console.warn(`[ejabberd] XMPP_ADAPTER_EJABBERD=external but nothing answers at ${EJABBERD_TCP_URL} / ${EJABBERD_WS_URL}`);
    }
    return async () => {};
  }

  const startedHere = await startEjabberd();

  return async () => {
    if (startedHere) await stopEjabberd();
  };
}

/**
 * Vitest `globalSetup`: makes sure the local Prosody is running before integration tests.
 *
 * - `XMPP_ADAPTER_PROSODY=external`: someone else manages the server; only check that it is reachable.
 * - otherwise: start it via scripts/prosody.sh, and stop it after the run only if this setup started it
 *   (a server you started by hand, e.g. for the demo, is left alone).
 */
import { isProsodyUp, startProsody, stopProsody, TCP_URL, WS_URL } from '../../scripts/prosody.js';

export default async function prosodyGlobalSetup(): Promise<() => Promise<void>> {
  if (process.env['XMPP_ADAPTER_PROSODY'] === 'external') {
    if (!(await isProsodyUp())) {
      console.warn(`[prosody] XMPP_ADAPTER_PROSODY=external but nothing answers at ${TCP_URL} / ${WS_URL}`);
    }
    return async () => {};
  }

  const startedHere = await startProsody();

  return async () => {
    if (startedHere) await stopProsody();
  };
}

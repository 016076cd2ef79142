import type { Actor } from 'xstate';
import { XmppAdapterError } from '../errors.js';
import type { IqRequestOptions } from '../iq/iq-tracker.js';
import { bareJid } from '../jid.js';
import type { SessionMachine } from '../machines/session.machine.js';
import type { FeatureServices } from '../xeps/feature.js';
import { assertPasswordMayBeSent, changePassword, deleteAccount } from '../xeps/register/index.js';
import type { ResolvedOptions } from './options.js';

/** The logged-in account (XEP-0077 §3.2, §3.3). */
export interface AccountApi {
  /**
   * Changes the account's password. The current session stays logged in; the next login (a
   * reconnect included) needs the new password, so update the one the client was created with.
   * Rejects with a `RegistrationError` (`not-allowed`, `not-acceptable`, `insecure`).
   */
  changePassword(newPassword: string, options?: IqRequestOptions): Promise<void>;
  /** Deletes the account; the server then ends every session of it, so the client goes offline. */
  delete(options?: IqRequestOptions): Promise<void>;
}

/** Builds `client.account` from the session (for the bound JID and whether the link is encrypted) and the options. */
export function createAccountApi(
  session: Actor<SessionMachine>,
  services: FeatureServices,
  isRunning: () => boolean,
  options: Pick<ResolvedOptions, 'host' | 'allowPlainOverInsecure'>,
): AccountApi {
  const online = () => {
    if (!isRunning()) throw new XmppAdapterError('stopped', 'the client is not running: call start() first');
    const view = session.getSnapshot().context.connection;
    const jid = view.status === 'online' ? bareJid(view.jid) : undefined;
    if (jid === undefined) throw new XmppAdapterError('not-online', 'the account can be changed only while online');
    return { jid, secure: view.secure === true };
  };
  return {
    async changePassword(newPassword, requestOptions) {
      const { jid, secure } = online();
      assertPasswordMayBeSent({ secure, host: options.host, allowPlainOverInsecure: options.allowPlainOverInsecure });
      const at = jid.indexOf('@');
      await changePassword(services, { username: jid.slice(0, at), domain: jid.slice(at + 1) }, newPassword, requestOptions);
    },
    async delete(requestOptions) {
      online();
      await deleteAccount(services, requestOptions);
    },
  };
}

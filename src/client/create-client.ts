import { defaultFeatures } from '../xeps/registry.js';
import { createAccountApi, type AccountApi } from './account-api.js';
import { createArchiveApi, type ArchiveApi } from './archive-api.js';
import { buildCoreClient, type ClientInternals, type CoreClient } from './core-client.js';
import { createFilesApi, type FilesApi } from './files-api.js';
import type { XmppClientOptions } from './options.js';
import { createProfileApi, type ProfileApi } from './profile-api.js';
import { createPubsubApi, type PubsubApi } from './pubsub-api.js';
import { createPushApi, type PushApi } from './push-api.js';
import { registerOwnAccount, type RegisterAccountOptions, type RegisterResult } from './register.js';
import { argumentError } from './require-feature.js';
import { createRoomsApi, type RoomsApi } from './rooms-api.js';

export { createCoreClient, type ClientEvent, type ClientInternals, type CoreClient } from './core-client.js';

export interface CsiApi {
  /** `false` when the user stops looking (the server may hold back presences meanwhile), `true` when back. */
  setActive(active: boolean): void;
}

/**
 * The whole client: the {@link CoreClient} with every default feature running and the app APIs
 * for history, rooms, files, CSI, the account, push, PubSub and profiles.
 */
export interface XmppClient extends CoreClient {
  /** Message history (XEP-0313): scrollback, catch-up, search, archiving preferences. */
  readonly archive: ArchiveApi;
  /** Group chat (XEP-0045): join, leave, send; bind UI with `connectRoom(client.rooms.actor(jid).getSnapshot())`. */
  readonly rooms: RoomsApi;
  /** HTTP File Upload (XEP-0363): `upload(file, { to?, onProgress?, signal? })` resolves with the download URL. */
  readonly files: FilesApi;
  /** Client State Indication (XEP-0352): tell the server whether the user is looking, e.g. from page visibility. */
  readonly csi: CsiApi;
  /** The logged-in account (XEP-0077): change its password, delete it. */
  readonly account: AccountApi;
  /**
   * Creates this client's account by In-Band Registration (XEP-0077) with its own service, domain,
   * username and password — before `start()`, no login needed (what ngx-chat's `register` did).
   * `fields` answers what else the server asks for; a CAPTCHA form comes back as `needs-form`.
   * Rejects like the standalone {@link register}.
   */
  register(options?: Pick<RegisterAccountOptions, 'fields' | 'formTimeout'>): Promise<RegisterResult>;
  /** Push notifications (XEP-0357): register app servers that wake the app while it is offline. */
  readonly push: PushApi;
  /** PubSub and PEP (XEP-0060, XEP-0163, XEP-0223): publish, fetch, follow nodes, private storage. */
  readonly pubsub: PubsubApi;
  /** Avatars, nicknames and vCards (XEP-0084, XEP-0172, XEP-0054, XEP-0153). */
  readonly profile: ProfileApi;
}

/**
 * Creates a client. Options are checked at once (an `InvalidOptionsError` is thrown before any
 * network I/O); nothing connects until `start()`.
 */
export function createXmppClient(options: XmppClientOptions, internals: ClientInternals = {}): XmppClient {
  const { client: core, resolved } = buildCoreClient(options, { ...internals, features: internals.features ?? defaultFeatures });
  const { actor: session, services, isRunning } = core;
  const csi: CsiApi = {
    setActive(active) {
      if (typeof active !== 'boolean') throw argumentError('setActive takes true or false');
      session.send({ type: 'csi.set', active });
    },
  };
  return {
    ...core,
    archive: createArchiveApi(session, services, isRunning),
    rooms: createRoomsApi(session, services, isRunning),
    files: createFilesApi(session, core.messages, isRunning),
    csi,
    account: createAccountApi(session, services, isRunning, resolved),
    register: (extra = {}) => registerOwnAccount(resolved, extra),
    push: createPushApi(session, isRunning),
    pubsub: createPubsubApi(session, services, isRunning),
    profile: createProfileApi(session, services, isRunning),
  };
}

import type { SessionLifecycleEvent } from '../feature.js';

/** XEP-0030 §3.1: who an entity is, e.g. `client/pc`. `lang` is the identity's `xml:lang`. */
export interface DiscoIdentity {
  category: string;
  type: string;
  name?: string;
  lang?: string;
}

/** One field of a XEP-0128 extended-information form (XEP-0004 data form). */
export interface DataFormField {
  var: string;
  /** The field's `type` attribute; XEP-0115 only trusts a `FORM_TYPE` of type `hidden`. */
  type?: string;
  values: string[];
}

/** A XEP-0128 extended-information form attached to a disco#info result. */
export interface DataForm {
  /** The `<x type>` attribute (`result` in disco#info answers). */
  type?: string;
  fields: DataFormField[];
}

/** A disco#info answer as plain data. */
export interface DiscoInfo {
  node?: string;
  identities: DiscoIdentity[];
  features: string[];
  forms: DataForm[];
}

/** XEP-0030 §4.1: an item has a JID and optionally a node and a name. */
export interface DiscoItem {
  jid: string;
  node?: string;
  name?: string;
}

export interface DiscoItems {
  node?: string;
  items: DiscoItem[];
}

/** What the server told us about itself, kept as plain data in the disco actor's context. */
export interface ServerInfo {
  identities: DiscoIdentity[];
  features: string[];
  forms?: DataForm[];
}

export type ServerInfoStatus = 'idle' | 'loading' | 'ready' | 'failed';

/** The plain-data handle of an inbound IQ request: enough to address its reply. */
import type { IqRequestRef } from '../iq-request.js';

export type { IqRequestRef };

export interface DiscoInfoRequestEvent extends IqRequestRef {
  type: 'disco.infoRequest';
  node?: string;
}

export interface DiscoItemsRequestEvent extends IqRequestRef {
  type: 'disco.itemsRequest';
  node?: string;
}

/** What `route` hands the disco actor. */
export type DiscoRoutedEvent = DiscoInfoRequestEvent | DiscoItemsRequestEvent;

export type DiscoEvent =
  | DiscoRoutedEvent
  | SessionLifecycleEvent
  /** Ask the server for its disco#info again (e.g. after an app toggled a server module). */
  | { type: 'disco.refreshServer' };

export interface DiscoContext {
  /** Our own identity and features, as answered to disco#info and hashed by entity capabilities. */
  own: DiscoInfo;
  /** Our XEP-0115 verification string once hashed; the caps node `<node>#<ver>` is answered like no node. */
  ownVer: string | undefined;
  domain: string;
  server: ServerInfo | undefined;
  /** Why the last server query failed. */
  serverError: string | undefined;
  /** Queries for a caps node that arrived before our ver was hashed; answered once it is. */
  heldQueries: DiscoInfoRequestEvent[];
}

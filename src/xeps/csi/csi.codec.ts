import { xml, type Element } from '@xmpp/xml';

/** XEP-0352 Client State Indication. */
export const NS_CSI = 'urn:xmpp:csi:0';

/** §4.2: `<active/>` or `<inactive/>`, a nonza with no reply. */
export function buildClientState(active: boolean): Element {
  return xml(active ? 'active' : 'inactive', { xmlns: NS_CSI });
}

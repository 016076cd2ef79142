import type { SaslCredentials, SaslExchange } from './mechanism.js';
import { SaslProtocolError } from './mechanism.js';

/** RFC 4616 PLAIN: `[authzid] NUL authcid NUL passwd`, no authzid. */
export function createPlainExchange(credentials: SaslCredentials): SaslExchange {
  return {
    name: 'PLAIN',
    async initial() {
      return `\u0000${credentials.username}\u0000${credentials.password}`;
    },
    async respond() {
      throw new SaslProtocolError('PLAIN takes no challenge');
    },
    async verifySuccess() {},
  };
}

import type { MechanismName, SaslCredentials, SaslExchange } from './mechanism.js';
import { createPlainExchange } from './plain.js';
import type { ScramCache } from './scram.js';
import { createScramExchange } from './scram.js';

export function createExchange(name: MechanismName, credentials: SaslCredentials, cache: ScramCache): SaslExchange {
  switch (name) {
    case 'SCRAM-SHA-256':
      return createScramExchange({ hash: 'SHA-256', credentials, cache });
    case 'SCRAM-SHA-1':
      return createScramExchange({ hash: 'SHA-1', credentials, cache });
    case 'PLAIN':
      return createPlainExchange(credentials);
  }
}

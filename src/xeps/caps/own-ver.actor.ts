import { fromPromise } from 'xstate';
import type { DiscoInfo } from '../disco/disco.types.js';
import { StanzaParseError } from '../iq-request.js';
import { verOf } from './caps.codec.js';

/** Hashes our own disco#info into the XEP-0115 `ver` (WebCrypto is asynchronous, hence an actor). */
export const hashOwnVer = fromPromise<string, DiscoInfo>(async ({ input }) => {
  const ver = await verOf(input);
  if (ver instanceof StanzaParseError) throw new Error(ver.reason);
  return ver;
});

import type { Element } from '@xmpp/xml';
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { XmppAdapterError, errorMessage } from '../../errors.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { ownDiscoInfo, type Platform } from '../disco/disco.codec.js';
import { StanzaParseError } from '../iq-request.js';
import { currentPlatform, discoInfo } from '../disco/disco.machine.js';
import type { DiscoInfo } from '../disco/disco.types.js';
import { CAPS_NODE, buildCaps, capsDiscoNode, isSupportedHash, verOf } from './caps.codec.js';
import type { CapsCandidate, CapsContext, CapsEvent, CapsRecord, CapsVerifyOutcome } from './caps.types.js';
import { hashOwnVer } from './own-ver.actor.js';
import { has, without, withEntry } from '../keyed-record.js';

/** Flood guard: verifications in flight at once. */
export const MAX_VERIFICATIONS_IN_FLIGHT = 4;
/** Flood guard: verifications waiting for a slot; announcements beyond this are dropped (a later presence may retry). */
export const MAX_QUEUED_VERIFICATIONS = 100;
/** Bounds of the remembered tables, oldest entries evicted first. */
export const MAX_KNOWN_VERS = 1000;
export const MAX_FAILED_VERS = 1000;
export const MAX_KNOWN_JIDS = 5000;

const VERIFIER_PREFIX = 'caps.verify:';
const verifierId = (ver: string) => `${VERIFIER_PREFIX}${ver}`;
const DONE_PREFIX = `xstate.done.actor.${VERIFIER_PREFIX}`;

// Records keyed by strings from the network: `__proto__` and friends must stay ordinary keys.
/**
 * §5.4 step 3: ask the announcing entity for `node#ver`, rebuild the hash from its answer and
 * compare. Never rejects: the outcome says whether to trust, distrust or forget the `ver`.
 */
export async function verifyCaps(
  services: Pick<FeatureServices, 'iq'>,
  candidate: CapsCandidate,
  signal?: AbortSignal,
): Promise<CapsVerifyOutcome> {
  const { ver } = candidate;
  let info: DiscoInfo;
  try {
    info = await discoInfo(services, candidate.jid, capsDiscoNode(candidate.node, ver), { signal });
  } catch (err) {
    // A malformed answer is an answer that cannot verify; anything else (timeout, abort, the
    // contact went away) says nothing about the ver, so a later announcement may try again.
    if (err instanceof XmppAdapterError && err.code === 'bad-reply') return { ver, outcome: 'invalid', reason: err.message };
    return { ver, outcome: 'unanswered', reason: errorMessage(err) };
  }
  let computed: string | StanzaParseError;
  try {
    computed = await verOf(info, candidate.hash);
  } catch (err) {
    // No WebCrypto here: nothing can be verified, and nothing is held against the ver.
    return { ver, outcome: 'unanswered', reason: errorMessage(err) };
  }
  if (computed instanceof StanzaParseError) return { ver, outcome: 'invalid', reason: `ill-formed answer: ${computed.reason}` };
  // §5.4 3.9: "If the values of the received and reconstructed hashes do not match, the processing
  // application MUST consider the result to be invalid and MUST NOT globally cache the verification string".
  if (computed !== ver) return { ver, outcome: 'invalid', reason: `answer hashes to ${computed}` };
  return { ver, outcome: 'verified', identities: info.identities, features: info.features };
}

/**
 * The `<c/>` for our own presence, once our ver is known. The presence feature sends every
 * presence and appends it: XEP-0115 §6.1 "a client SHOULD include entity capabilities with every
 * presence notification it sends".
 */
export function ownCapsElement(ownVer: string | undefined): Element | undefined {
  return ownVer === undefined ? undefined : buildCaps({ hash: 'sha-1', node: CAPS_NODE, ver: ownVer });
}

/**
 * The caps actor: hashes our own caps `ver` (the presence feature puts it into each presence), and
 * verifies the caps others announce, at most `MAX_VERIFICATIONS_IN_FLIGHT` at a time, each `ver` once.
 */
export function createCapsLogic(services: FeatureServices, platform: Platform = currentPlatform()) {
  return setup({
    types: {
      context: {} as CapsContext,
      events: {} as CapsEvent,
      input: {} as FeatureInput,
    },
    actors: {
      hashOwnInfo: hashOwnVer,
      verifyCaps: fromPromise<CapsVerifyOutcome, CapsCandidate>(({ input, signal }) => verifyCaps(services, input, signal)),
    },
    actions: {
      // A presence that went out before the hash was ready lacked `<c/>`: the presence feature resends it.
      refreshPresence: enqueueActions(({ enqueue, system }) => {
        const presence = system.get('presence');
        if (presence) enqueue.sendTo(presence, { type: 'presence.refresh' });
      }),
      noteAnnouncement: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'caps.announced') return;
        const { from, hash, node, ver } = event;
        if (!isSupportedHash(hash)) {
          // §5.4 step 2 (ask and keep the answer for this JID only) is not implemented: forget its old ver.
          if (has(context.jidToVer, from)) enqueue.assign({ jidToVer: without(context.jidToVer, from) });
          return;
        }
        const jidToVer = withEntry(context.jidToVer, from, ver, MAX_KNOWN_JIDS);
        const seen =
          has(context.known, ver) || has(context.failed, ver) || has(context.inFlight, ver) || context.queue.some((c) => c.ver === ver);
        const candidate: CapsCandidate = { jid: from, hash, node, ver };
        if (seen) {
          if (jidToVer !== context.jidToVer) enqueue.assign({ jidToVer });
        } else if (Object.keys(context.inFlight).length < MAX_VERIFICATIONS_IN_FLIGHT) {
          enqueue.spawnChild('verifyCaps', { id: verifierId(ver), input: candidate });
          enqueue.assign({ jidToVer, inFlight: withEntry(context.inFlight, ver, candidate) });
        } else if (context.queue.length < MAX_QUEUED_VERIFICATIONS) {
          enqueue.assign({ jidToVer, queue: [...context.queue, candidate] });
        } else {
          enqueue.assign({ jidToVer });
        }
      }),
      settleVerification: enqueueActions(({ context, event, enqueue }) => {
        if (!event.type.startsWith(DONE_PREFIX) || !('output' in event)) return;
        const result = event.output;
        let known = context.known;
        let failed = context.failed;
        if (result.outcome === 'verified') {
          const record: CapsRecord = { identities: result.identities, features: result.features };
          known = withEntry(known, result.ver, record, MAX_KNOWN_VERS);
        } else if (result.outcome === 'invalid') {
          failed = withEntry(failed, result.ver, result.reason, MAX_FAILED_VERS);
        }
        let inFlight = without(context.inFlight, result.ver);
        const queue = [...context.queue];
        while (Object.keys(inFlight).length < MAX_VERIFICATIONS_IN_FLIGHT && queue.length > 0) {
          const next = queue.shift()!;
          if (has(known, next.ver) || has(failed, next.ver) || has(inFlight, next.ver)) continue;
          enqueue.spawnChild('verifyCaps', { id: verifierId(next.ver), input: next });
          inFlight = withEntry(inFlight, next.ver, next);
        }
        enqueue.assign({ known, failed, inFlight, queue });
      }),
      dropVerifications: enqueueActions(({ context, enqueue }) => {
        // Their IQs belong to a stream that is gone; stopping a verifier aborts its request.
        for (const ver of Object.keys(context.inFlight)) enqueue.stopChild(verifierId(ver));
        enqueue.assign({ inFlight: {}, queue: [] });
      }),
      // A fresh session starts with nobody's presence: who-uses-which is rebuilt from new presences.
      forgetPresences: assign({ jidToVer: {} }),
      forgetJid: assign({
        jidToVer: ({ context, event }) => (event.type === 'caps.gone' ? without(context.jidToVer, event.from) : context.jidToVer),
      }),
    },
    guards: {
      isFreshSession: ({ event }) => event.type === 'session.online' && !event.resumed,
    },
  }).createMachine({
    id: 'caps',
    context: ({ input }) => ({
      own: ownDiscoInfo(input.software.name, input.discoFeatures, platform),
      ownVer: undefined,
      known: {},
      failed: {},
      jidToVer: {},
      inFlight: {},
      queue: [],
    }),
    on: {
      'caps.announced': { actions: 'noteAnnouncement' },
      'caps.gone': { actions: 'forgetJid' },
      'xstate.done.actor.*': { actions: 'settleVerification' },
      'session.offline': { actions: 'dropVerifications' },
    },
    initial: 'hashing',
    states: {
      hashing: {
        invoke: {
          id: 'hashOwnInfo',
          src: 'hashOwnInfo',
          input: ({ context }) => context.own,
          onDone: { target: 'ready', actions: [assign({ ownVer: ({ event }) => event.output }), 'refreshPresence'] },
          // Without WebCrypto there are no caps to announce; presence goes out without them.
          onError: { target: 'unavailable' },
        },
        on: { 'session.online': { guard: 'isFreshSession', actions: 'forgetPresences' } },
      },
      ready: {
        on: { 'session.online': { guard: 'isFreshSession', actions: 'forgetPresences' } },
      },
      unavailable: {
        on: { 'session.online': { guard: 'isFreshSession', actions: 'forgetPresences' } },
      },
    },
  });
}

export type CapsLogic = ReturnType<typeof createCapsLogic>;

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
import { has, RecordDraft, without, withEntry } from '../keyed-record.js';

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
      // Caps from presences, one or a socket read's worth (`caps.batch`): the records are copied once per step.
      notePresences: enqueueActions(({ context, event, enqueue }) => {
        const events =
          event.type === 'caps.batch' ? event.events : event.type === 'caps.announced' || event.type === 'caps.gone' ? [event] : [];
        const jidToVer = new RecordDraft(context.jidToVer, MAX_KNOWN_JIDS);
        const inFlight = new RecordDraft(context.inFlight);
        let inFlightCount = Object.keys(context.inFlight).length;
        let queue = context.queue;
        for (const routed of events) {
          const { from } = routed;
          if (routed.type === 'caps.gone') {
            jidToVer.delete(from);
            continue;
          }
          const { hash, node, ver } = routed;
          if (!isSupportedHash(hash)) {
            // §5.4 step 2 (ask and keep the answer for this JID only) is not implemented: forget its old ver.
            jidToVer.delete(from);
            continue;
          }
          jidToVer.set(from, ver);
          const seen = has(context.known, ver) || has(context.failed, ver) || inFlight.has(ver) || queue.some((c) => c.ver === ver);
          if (seen) continue;
          const candidate: CapsCandidate = { jid: from, hash, node, ver };
          if (inFlightCount < MAX_VERIFICATIONS_IN_FLIGHT) {
            enqueue.spawnChild('verifyCaps', { id: verifierId(ver), input: candidate });
            inFlight.set(ver, candidate);
            inFlightCount++;
          } else if (queue.length < MAX_QUEUED_VERIFICATIONS) {
            queue = [...queue, candidate];
          }
        }
        const changes: Partial<CapsContext> = {};
        if (jidToVer.result() !== context.jidToVer) changes.jidToVer = jidToVer.result();
        if (inFlight.result() !== context.inFlight) changes.inFlight = inFlight.result();
        if (queue !== context.queue) changes.queue = queue;
        if (Object.keys(changes).length > 0) enqueue.assign(changes);
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
      'caps.announced': { actions: 'notePresences' },
      'caps.gone': { actions: 'notePresences' },
      'caps.batch': { actions: 'notePresences' },
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

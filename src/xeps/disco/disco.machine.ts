import type { Element } from '@xmpp/xml';
import { assign, fromPromise, setup } from 'xstate';
import { XmppAdapterError, errorMessage } from '../../errors.js';
import { platformName } from '../../wire/platform.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { CAPS_NODE, capsDiscoNode } from '../caps/caps.codec.js';
import { StanzaParseError, replyError, replyResult } from '../iq-request.js';
import {
  buildDiscoInfo,
  buildDiscoInfoRequest,
  buildDiscoItems,
  buildDiscoItemsRequest,
  ownDiscoInfo,
  parseDiscoInfo,
  parseDiscoItems,
  type Platform,
} from './disco.codec.js';
import type { DiscoContext, DiscoEvent, DiscoInfo, DiscoInfoRequestEvent, DiscoItems, ServerInfo } from './disco.types.js';
import { hashOwnVer } from '../caps/own-ver.actor.js';

/** Where this code runs, for the identity type (`web` or `pc`); fixed per build (see src/wire/platform.ts). */
export function currentPlatform(): Platform {
  return platformName;
}

function malformed(what: string, jid: string, error: StanzaParseError): XmppAdapterError {
  return new XmppAdapterError('bad-reply', `malformed ${what} answer from ${jid}: ${error.reason}`);
}

/** Asks `jid` (optionally at `node`) for its identities, features and forms. Backs `client.disco.info`. */
export async function discoInfo(
  services: Pick<FeatureServices, 'iq'>,
  jid: string,
  node?: string,
  options?: IqRequestOptions,
): Promise<DiscoInfo> {
  const reply = await services.iq.request(buildDiscoInfoRequest(jid, node), options);
  const info = parseDiscoInfo(reply);
  if (info instanceof StanzaParseError) throw malformed('disco#info', jid, info);
  return info;
}

/** Asks `jid` (optionally at `node`) for its items. Backs `client.disco.items`. */
export async function discoItems(
  services: Pick<FeatureServices, 'iq'>,
  jid: string,
  node?: string,
  options?: IqRequestOptions,
): Promise<DiscoItems> {
  const reply = await services.iq.request(buildDiscoItemsRequest(jid, node), options);
  const items = parseDiscoItems(reply);
  if (items instanceof StanzaParseError) throw malformed('disco#items', jid, items);
  return items;
}

/** Caps-node queries held while our ver is hashed; more are answered at once (item-not-found). */
export const MAX_HELD_QUERIES = 32;

/** The answer to a disco#info query: our info for no node or our caps node, else item-not-found. */
function infoReply(context: DiscoContext, query: DiscoInfoRequestEvent): Element {
  const { node } = query;
  // XEP-0115 §6.2: the caps node `node#ver` is answered with the same data as no node.
  if (node === undefined || (context.ownVer !== undefined && node === capsDiscoNode(CAPS_NODE, context.ownVer))) {
    // XEP-0030 §3.2: "the response SHOULD mirror the specified 'node' attribute".
    return replyResult(query, buildDiscoInfo(node === undefined ? context.own : { ...context.own, node }));
  }
  // XEP-0030 §7: item-not-found when "the JID or JID+NodeID of the specified target entity does not exist".
  return replyError(query, 'cancel', 'item-not-found');
}

function toServerInfo(info: DiscoInfo): ServerInfo {
  const server: ServerInfo = { identities: info.identities, features: info.features };
  if (info.forms.length > 0) server.forms = info.forms;
  return server;
}

/**
 * The disco actor: answers disco#info and disco#items, and learns the server's features once
 * per fresh session. Two regions: `ownCaps` hashes our own verification string (so that the caps
 * node `https://xmpp-adapter.dev#<ver>` is answered), `server` tracks the server query.
 */
export function createDiscoLogic(services: FeatureServices, platform: Platform = currentPlatform()) {
  return setup({
    types: {
      context: {} as DiscoContext,
      events: {} as DiscoEvent,
      input: {} as FeatureInput,
    },
    actors: {
      hashOwnInfo: hashOwnVer,
      fetchServerInfo: fromPromise<ServerInfo, { domain: string }>(async ({ input, signal }) =>
        toServerInfo(await discoInfo(services, input.domain, undefined, { signal })),
      ),
    },
    actions: {
      answerInfo: ({ context, event }) => {
        if (event.type === 'disco.infoRequest') services.send(infoReply(context, event));
      },
      // A query for a caps node while our ver is being hashed waits for the hash (bounded).
      holdQuery: assign({
        heldQueries: ({ context, event }) => (event.type === 'disco.infoRequest' ? [...context.heldQueries, event] : context.heldQueries),
      }),
      answerHeldQueries: ({ context }) => {
        for (const query of context.heldQueries) services.send(infoReply(context, query));
      },
      forgetHeldQueries: assign({ heldQueries: [] }),
      answerItems: ({ event }) => {
        if (event.type !== 'disco.itemsRequest') return;
        if (event.node === undefined) {
          // XEP-0030 §4.1: "If there are no items associated with an entity ... the target entity MUST return an empty query element".
          services.send(replyResult(event, buildDiscoItems({ items: [] })));
          return;
        }
        services.send(replyError(event, 'cancel', 'item-not-found'));
      },
    },
    guards: {
      asksForCapsNodeWhileHashing: ({ context, event }) =>
        event.type === 'disco.infoRequest' &&
        event.node?.startsWith(`${CAPS_NODE}#`) === true &&
        context.heldQueries.length < MAX_HELD_QUERIES,
      needsServerInfo: ({ context, event }) => event.type === 'session.online' && (!event.resumed || context.server === undefined),
    },
  }).createMachine({
    id: 'disco',
    type: 'parallel',
    context: ({ input }) => ({
      own: ownDiscoInfo(input.software.name, input.discoFeatures, platform),
      ownVer: undefined,
      domain: input.domain,
      server: undefined,
      serverError: undefined,
      heldQueries: [],
    }),
    on: {
      'disco.itemsRequest': { actions: 'answerItems' },
    },
    states: {
      ownCaps: {
        initial: 'hashing',
        // Only this region answers disco#info: a handler at the root would fire once per region.
        on: { 'disco.infoRequest': { actions: 'answerInfo' } },
        states: {
          hashing: {
            invoke: {
              src: 'hashOwnInfo',
              input: ({ context }) => context.own,
              onDone: {
                target: 'ready',
                actions: [assign({ ownVer: ({ event }) => event.output }), 'answerHeldQueries', 'forgetHeldQueries'],
              },
              // Without WebCrypto there is no caps node to answer; plain disco#info still works.
              onError: { target: 'unavailable', actions: ['answerHeldQueries', 'forgetHeldQueries'] },
            },
            on: {
              'disco.infoRequest': [{ guard: 'asksForCapsNodeWhileHashing', actions: 'holdQuery' }, { actions: 'answerInfo' }],
            },
          },
          ready: {},
          unavailable: {},
        },
      },
      server: {
        initial: 'idle',
        on: {
          'session.online': { guard: 'needsServerInfo', target: '.loading', reenter: true },
          'disco.refreshServer': { target: '.loading', reenter: true },
        },
        states: {
          idle: {},
          loading: {
            invoke: {
              src: 'fetchServerInfo',
              input: ({ context }) => ({ domain: context.domain }),
              onDone: { target: 'ready', actions: assign({ server: ({ event }) => event.output, serverError: undefined }) },
              onError: { target: 'failed', actions: assign({ serverError: ({ event }) => errorMessage(event.error) }) },
            },
            // Leaving aborts the request (its signal); the next fresh session asks again.
            on: { 'session.offline': 'idle' },
          },
          ready: {},
          failed: {},
        },
      },
    },
  });
}

export type DiscoLogic = ReturnType<typeof createDiscoLogic>;

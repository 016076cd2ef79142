// The Stately inspector, switchable on a live client. Every client is created with a cheap
// forwarding `inspect` observer; switching on creates a browser inspector (it opens its own
// window), introduces the actors already running to it once that window is ready, and from then
// on forwards every event.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { XmppClient } from 'xmpp-adapter';

type BrowserInspector = ReturnType<(typeof import('@statelyai/inspect'))['createBrowserInspector']>;

export interface InspectorBridge {
  /** The `inspect` option for `createXmppClient`. */
  inspect(event: InspectionEvent): void;
  /** Opens the inspector window on `client` and streams its actors there. */
  open(client: XmppClient): Promise<void>;
  close(): void;
}

/** The session actor and everything it spawned or invoked, parents first. */
function actorTree(root: AnyActorRef): AnyActorRef[] {
  const out: AnyActorRef[] = [];
  const visit = (ref: AnyActorRef) => {
    out.push(ref);
    const children = (ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
    for (const child of Object.values(children)) if (child) visit(child);
  };
  visit(root);
  return out;
}

const DEPTH_LIMIT = 10;

/**
 * Turns an inspection event into plain JSON data without touching it. The browser inspector's
 * default serializer marks cycles and cut-off depths by writing into the live objects it walks
 * (and restores them afterwards); this one only reads: actor refs become `{ id }`, functions their
 * name, repeated objects and anything deeper than the limit a marker.
 */
export function serializeForInspector(event: unknown): unknown {
  const depth = new WeakMap<object, number>();
  const seen = new WeakSet<object>();
  const json = JSON.stringify(event, function (this: unknown, _key: string, value: unknown) {
    if (typeof value === 'function') return { type: value.name };
    if (typeof value !== 'object' || value === null) return value;
    const level = (typeof this === 'object' && this !== null ? (depth.get(this) ?? 0) : 0) + 1;
    if ('sessionId' in value && 'send' in value && typeof value.send === 'function') return { id: (value as AnyActorRef).id };
    if (seen.has(value)) return '[Repeated]';
    if (level > DEPTH_LIMIT) return '[...]';
    seen.add(value);
    depth.set(value, level);
    return value;
  });
  return json === undefined ? undefined : JSON.parse(json);
}

export function createInspectorBridge(): InspectorBridge {
  let inspector: BrowserInspector | undefined;
  let forwarding = false;
  let stopWaiting: (() => void) | undefined;
  const bridge: InspectorBridge = {
    inspect(event) {
      if (forwarding) inspector?.inspect.next?.(event);
    },
    async open(client) {
      // Loaded on demand: an app that never inspects never downloads it.
      const { createBrowserInspector } = await import('@statelyai/inspect');
      bridge.close();
      const opened = createBrowserInspector({ serialize: (event) => serializeForInspector(event) as typeof event });
      inspector = opened;
      // The inspector window keeps only the last 200 events until it has loaded: introduce the
      // actors once it says it is there, with their snapshots as they are then, and stream from there.
      const onMessage = (event: MessageEvent) => {
        if ((event.data as { type?: unknown } | null)?.type !== '@statelyai.connected' || inspector !== opened) return;
        stopWaiting?.();
        for (const ref of actorTree(client.actor)) opened.actor(ref, ref.getSnapshot());
        forwarding = true;
      };
      window.addEventListener('message', onMessage);
      stopWaiting = () => window.removeEventListener('message', onMessage);
    },
    close() {
      stopWaiting?.();
      forwarding = false;
      inspector?.stop();
      inspector = undefined;
    },
  };
  return bridge;
}

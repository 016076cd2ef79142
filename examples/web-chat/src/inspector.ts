// The Stately inspector, switchable on a live client. Every client is created with a cheap
// forwarding `inspect` observer; switching on creates a browser inspector (it opens its own
// window), introduces the actors already running to it, and from then on forwards every event.
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

export function createInspectorBridge(): InspectorBridge {
  let inspector: BrowserInspector | undefined;
  return {
    inspect(event) {
      inspector?.inspect.next?.(event);
    },
    async open(client) {
      // Loaded on demand: an app that never inspects never downloads it.
      const { createBrowserInspector } = await import('@statelyai/inspect');
      inspector?.stop();
      inspector = createBrowserInspector();
      for (const ref of actorTree(client.actor)) inspector.actor(ref, ref.getSnapshot());
    },
    close() {
      inspector?.stop();
      inspector = undefined;
    },
  };
}

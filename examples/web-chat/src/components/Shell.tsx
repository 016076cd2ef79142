// Binds to: the connection view, the own JID and presence (`connectPresence`) and the unread total (`connectChats`).
import { useSelector } from '@xstate/react';
import { useEffect, useState } from 'react';
import { connectChats, connectPresence, selectConnection, type Show, type XmppClient } from 'xmpp-adapter';
import { feature } from '../features';
import type { InspectorBridge } from '../inspector';
import { ConnectionBanner } from './ConnectionBanner';
import { Conversation } from './Conversation';
import { Room } from './Room';
import { Rooms } from './Rooms';
import { Roster } from './Roster';

/** What the main pane shows: a UI choice, not library state. */
export type Selection = { kind: 'chat'; jid: string } | { kind: 'room'; jid: string } | null;

interface Props {
  client: XmppClient;
  inspector: InspectorBridge;
  onLogout(): void;
}

const SHOWS: Show[] = ['available', 'chat', 'away', 'xa', 'dnd'];

export function Shell(props: Props) {
  const { client, onLogout } = props;
  // Once the session ended (a conflict, a refused login, a stop) its feature actors are gone.
  const ended = useSelector(client.actor, (s) => s.status !== 'active');
  const connection = useSelector(client.actor, selectConnection);
  if (ended || !client.feature('chat')) {
    return (
      <main className="login">
        <div className="login-status" data-testid="session-ended">
          <p className="error">Session ended: {connection.status}</p>
          <button type="button" onClick={onLogout}>
            Back to login
          </button>
        </div>
      </main>
    );
  }
  return <Workspace {...props} />;
}

function Workspace({ client, inspector, onLogout }: Props) {
  const [selection, setSelection] = useState<Selection>(null);
  const [inspecting, setInspecting] = useState(false);
  // The bound JID while online; the chat manager remembers the last one while reconnecting.
  const boundJid = useSelector(client.actor, (s) => selectConnection(s).jid);
  const lastJid = useSelector(feature(client, 'chat'), (s) => s.context.me);
  const jid = boundJid ?? lastJid;
  const own = useSelector(feature(client, 'presence'), (s) => connectPresence(s).own?.show);
  const unreadTotal = useSelector(feature(client, 'chat'), (s) => connectChats(s).unreadTotal);

  useEffect(() => {
    document.title = unreadTotal > 0 ? `(${unreadTotal}) Web chat` : 'Web chat';
  }, [unreadTotal]);

  // XEP-0352: tell the server when nobody looks at the page.
  useEffect(() => {
    const onVisibility = () => client.csi.setActive(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [client]);

  async function toggleInspector(on: boolean) {
    setInspecting(on);
    if (on) await inspector.open(client);
    else inspector.close();
  }

  return (
    <div className="shell">
      <header className="topbar">
        <strong data-testid="own-jid">{jid ?? '…'}</strong>
        <select
          data-testid="own-presence"
          value={own ?? 'available'}
          onChange={(e) => client.presence.set(e.target.value as Show)}
          aria-label="Your presence"
        >
          {SHOWS.map((show) => (
            <option key={show} value={show}>
              {show}
            </option>
          ))}
        </select>
        <label className="switch">
          <input
            type="checkbox"
            data-testid="inspector-switch"
            checked={inspecting}
            onChange={(e) => void toggleInspector(e.target.checked)}
          />
          Inspector
        </label>
        <button type="button" data-testid="logout" onClick={onLogout}>
          Log out
        </button>
      </header>
      <ConnectionBanner client={client} />
      <div className="panes">
        <aside className="sidebar">
          <Roster client={client} selection={selection} onSelect={setSelection} />
          <Rooms client={client} selection={selection} onSelect={setSelection} />
        </aside>
        <main className="main">
          {selection?.kind === 'chat' && <Conversation key={selection.jid} client={client} jid={selection.jid} />}
          {selection?.kind === 'room' && <Room key={selection.jid} client={client} jid={selection.jid} onLeft={() => setSelection(null)} />}
          {selection === null && <p className="placeholder">Pick a contact or a room.</p>}
        </main>
      </div>
    </div>
  );
}

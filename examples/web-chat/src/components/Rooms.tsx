// Binds to: the `muc` manager's rooms and invitations, and each room's status (`roomStatus(room)`), failure and unread count.
import { useSelector } from '@xstate/react';
import { useState, type FormEvent } from 'react';
import { roomStatus, type XmppClient } from 'xmpp-adapter';
import { feature, roomActor } from '../features';
import { shortName } from '../format';
import { useAction } from '../use-action';
import type { Selection } from './Shell';

interface Props {
  client: XmppClient;
  selection: Selection;
  onSelect(selection: Selection): void;
}

/** `team` → `team@conference.<our domain>`; a full room JID stays as it is. */
function roomJid(client: XmppClient, name: string): string {
  if (name.includes('@')) return name.toLowerCase();
  const domain = client.getSnapshot().context.connection.jid?.split('@')[1]?.split('/')[0] ?? 'localhost';
  return `${name}@conference.${domain}`.toLowerCase();
}

export function Rooms({ client, selection, onSelect }: Props) {
  const muc = feature(client, 'muc');
  const rooms = useSelector(muc, (s) => s.context.rooms);
  const invitations = useSelector(muc, (s) => s.context.invitations);
  const ownJid = useSelector(client.actor, (s) => s.context.connection.jid);
  const [name, setName] = useState('');
  const [nick, setNick] = useState('');
  const [persistent, setPersistent] = useState(true);
  const { error, busy, run } = useAction();

  async function enter(room: string, create: boolean) {
    const options = { nick: nick.trim() || shortName(ownJid ?? 'me') };
    // A persistent room outlives its last occupant and server restarts (muc#roomconfig, XEP-0045 §10.1.3).
    const config = { 'muc#roomconfig_persistentroom': persistent };
    const ok = await run(() => (create ? client.rooms.create(room, { ...options, config }) : client.rooms.join(room, options)));
    if (ok) {
      setName('');
      onSelect({ kind: 'room', jid: room });
    }
  }

  const submit = (create: boolean) => (event?: FormEvent) => {
    event?.preventDefault();
    if (name.trim()) void enter(roomJid(client, name.trim()), create);
  };

  return (
    <section className="rooms" data-testid="rooms">
      <h2>Rooms</h2>
      <ul className="contacts">
        {rooms.map((jid) => (
          <RoomEntry
            key={jid}
            client={client}
            jid={jid}
            selected={selection?.kind === 'room' && selection.jid === jid}
            onSelect={onSelect}
          />
        ))}
        {rooms.length === 0 && <li className="empty">No rooms yet.</li>}
      </ul>
      {invitations.length > 0 && (
        <ul className="requests">
          {invitations
            .filter((inv) => !rooms.includes(inv.room))
            .map((inv) => (
              <li key={`${inv.room} ${inv.from}`} data-testid="invitation">
                <span>
                  {shortName(inv.from)} invites you to <b>{inv.room}</b>
                  {inv.reason ? `: “${inv.reason}”` : ''}
                </span>
                <button type="button" onClick={() => void enter(inv.room, false)}>
                  Join
                </button>
              </li>
            ))}
        </ul>
      )}
      <form className="room-form" onSubmit={submit(false)}>
        <input data-testid="room-name" placeholder="room or room@service" value={name} onChange={(e) => setName(e.target.value)} required />
        <input data-testid="room-nick" placeholder="Nick (optional)" value={nick} onChange={(e) => setNick(e.target.value)} />
        <label className="inline">
          <input type="checkbox" data-testid="room-persistent" checked={persistent} onChange={(e) => setPersistent(e.target.checked)} />
          New rooms stay when empty
        </label>
        <span className="buttons">
          <button type="submit" data-testid="room-join" disabled={busy}>
            Join
          </button>
          <button type="button" data-testid="room-create" disabled={busy} onClick={() => submit(true)()}>
            Create
          </button>
        </span>
        {error && <p className="error">{error}</p>}
      </form>
    </section>
  );
}

function RoomEntry({
  client,
  jid,
  selected,
  onSelect,
}: {
  client: XmppClient;
  jid: string;
  selected: boolean;
  onSelect(s: Selection): void;
}) {
  const actor = roomActor(client, jid)!;
  const status = useSelector(actor, roomStatus);
  const ended = useSelector(actor, (s) => s.context.failure?.reason);
  const unread = useSelector(actor, (s) => s.context.unread);
  // Visits that end for a passing reason (the service shut down, 332, or dropped us after an error
  // reply, 333) are entered again by the room actor itself; the list only shows the state.

  return (
    <li className={selected ? 'selected' : ''} data-testid="room-entry" data-jid={jid} data-status={status}>
      <button type="button" className="contact-open" onClick={() => onSelect({ kind: 'room', jid })}>
        <span className={`dot ${status === 'joined' ? 'dot-available' : 'dot-offline'}`} />
        <span className="who">
          <span className="name">{shortName(jid)}</span>
          <small className="presence">
            {status}
            {ended && status !== 'joined' ? ` (${ended})` : ''}
          </small>
        </span>
        {unread > 0 && (
          <span className="badge" data-testid="room-unread-badge">
            {unread}
          </span>
        )}
      </button>
    </li>
  );
}

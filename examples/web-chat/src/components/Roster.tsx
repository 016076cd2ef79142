// Binds to: `connectRoster(roster, { presence, blocking, chats })` and the unread counts of `connectChats(chat)`.
import { useSelector } from '@xstate/react';
import { useMemo } from 'react';
import { connectChats, connectRoster, type Contact, type XmppClient } from 'xmpp-adapter';
import { feature } from '../features';
import { shortName } from '../format';
import { useAction } from '../use-action';
import { AddContact } from './AddContact';
import type { Selection } from './Shell';

interface Props {
  client: XmppClient;
  selection: Selection;
  onSelect(selection: Selection): void;
}

const identity = <T,>(snapshot: T) => snapshot;

function presenceLabel(contact: Contact): string {
  if (contact.blocked) return 'blocked';
  if (contact.presence) return contact.presence.status ? `${contact.presence.show}: ${contact.presence.status}` : contact.presence.show;
  if (contact.ask === 'subscribe') return 'awaiting approval';
  return contact.subscription === 'to' || contact.subscription === 'both' ? 'offline' : 'not sharing presence';
}

export function Roster({ client, selection, onSelect }: Props) {
  const roster = useSelector(feature(client, 'roster'), identity);
  const presence = useSelector(feature(client, 'presence'), identity);
  const blocking = useSelector(feature(client, 'blocking'), identity);
  const chats = useSelector(feature(client, 'chat'), identity);
  const view = useMemo(() => connectRoster(roster, { presence, blocking, chats }), [roster, presence, blocking, chats]);
  const unread = useMemo(() => connectChats(chats), [chats]);
  const { error, run } = useAction();

  const approve = (jid: string) => {
    client.contacts.approve(jid);
    // Approving someone who is not on the roster yet also asks to see their presence back.
    if (!view.get(jid)) void run(() => client.contacts.add(jid));
  };
  const open = (jid: string) => onSelect({ kind: 'chat', jid });

  return (
    <section className="roster" data-testid="roster" data-status={view.status}>
      <h2>Contacts</h2>
      {view.requests.length > 0 && (
        <ul className="requests">
          {view.requests.map((request) => (
            <li key={request.jid} data-testid="request" data-jid={request.jid}>
              <span>
                <b>{request.jid}</b> wants to see your presence{request.status ? `: “${request.status}”` : ''}
              </span>
              <button type="button" data-testid="request-approve" onClick={() => approve(request.jid)}>
                Approve
              </button>
              <button type="button" data-testid="request-deny" onClick={() => client.contacts.deny(request.jid)}>
                Deny
              </button>
            </li>
          ))}
        </ul>
      )}
      <ul className="contacts">
        {view.contacts.map((contact) => {
          const count = unread.unread(contact.jid);
          const selected = selection?.kind === 'chat' && selection.jid === contact.jid;
          return (
            <li
              key={contact.jid}
              className={selected ? 'selected' : ''}
              data-testid="contact"
              data-jid={contact.jid}
              data-presence={contact.presence?.show ?? 'unavailable'}
              data-subscription={contact.subscription}
            >
              <button type="button" className="contact-open" onClick={() => open(contact.jid)} title={contact.jid}>
                <span className={`dot dot-${contact.presence?.show ?? 'offline'}`} />
                <span className="who">
                  <span className="name">{contact.name ?? shortName(contact.jid)}</span>
                  <small className="presence">{presenceLabel(contact)}</small>
                </span>
                {count > 0 && (
                  <span className="badge" data-testid="unread-badge">
                    {count}
                  </span>
                )}
              </button>
              <span className="row-actions">
                {contact.blocked ? (
                  <button type="button" data-testid="contact-unblock" onClick={() => void run(() => client.contacts.unblock(contact.jid))}>
                    Unblock
                  </button>
                ) : (
                  <button type="button" data-testid="contact-block" onClick={() => void run(() => client.contacts.block(contact.jid))}>
                    Block
                  </button>
                )}
                <button
                  type="button"
                  data-testid="contact-remove"
                  onClick={() => {
                    if (selected) onSelect(null);
                    void run(() => client.contacts.remove(contact.jid));
                  }}
                >
                  Remove
                </button>
              </span>
            </li>
          );
        })}
        {view.contacts.length === 0 && view.status !== 'loading' && <li className="empty">No contacts yet.</li>}
      </ul>
      {view.strangers.length > 0 && (
        <>
          <h3>Not in your contacts</h3>
          <ul className="contacts">
            {view.strangers.map((jid) => (
              <li key={jid} data-testid="stranger" data-jid={jid}>
                <button type="button" className="contact-open" onClick={() => open(jid)}>
                  <span className="name">{jid}</span>
                  {unread.unread(jid) > 0 && <span className="badge">{unread.unread(jid)}</span>}
                </button>
                <span className="row-actions">
                  <button type="button" onClick={() => void run(() => client.contacts.add(jid))}>
                    Add
                  </button>
                  <button type="button" onClick={() => void run(() => client.contacts.block(jid))}>
                    Block
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {view.blocked.filter((jid) => !view.get(jid)).length > 0 && (
        <>
          <h3>Blocked</h3>
          <ul className="contacts">
            {view.blocked
              .filter((jid) => !view.get(jid))
              .map((jid) => (
                <li key={jid} data-testid="blocked" data-jid={jid}>
                  <span className="name">{jid}</span>
                  <button type="button" onClick={() => void run(() => client.contacts.unblock(jid))}>
                    Unblock
                  </button>
                </li>
              ))}
          </ul>
        </>
      )}
      {error && <p className="error">{error}</p>}
      <AddContact client={client} />
    </section>
  );
}

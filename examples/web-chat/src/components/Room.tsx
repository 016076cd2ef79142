// Binds to: the `room:<jid>` actor through `connectRoom(room, archive)` (status, occupants, subject, messages, unread, scrollback).
import { useSelector } from '@xstate/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { connectRoom, type XmppClient } from 'xmpp-adapter';
import { feature, roomActor, type RoomSnapshot, type Source } from '../features';
import { formatStamp, shortName } from '../format';
import { usePageVisible } from '../page-visible';
import { useAction } from '../use-action';
import { Composer } from './Composer';
import { MessageBody } from './MessageBody';
import { UploadButton } from './UploadButton';

interface Props {
  client: XmppClient;
  jid: string;
  onLeft(): void;
}

/** A body that is only an http(s) URL (how files are shared in rooms) shows as a file. */
const linkOf = (body: string) => (/^https?:\/\/\S+$/.test(body) ? { url: body } : undefined);

export function Room(props: Props) {
  const actor = roomActor(props.client, props.jid);
  if (!actor) return <p className="placeholder">Not in {props.jid}.</p>;
  return <RoomPane {...props} actor={actor} />;
}

function RoomPane({ client, jid, onLeft, actor }: Props & { actor: Source<RoomSnapshot> }) {
  const room = useSelector(actor, (s) => s);
  const archive = useSelector(feature(client, 'archive'), (s) => s);
  const view = useMemo(() => connectRoom(room, archive), [room, archive]);
  const messages = view.messages;
  const [subject, setSubject] = useState<string | null>(null); // the subject being edited, if any
  const action = useAction();
  const list = useRef<HTMLOListElement>(null);
  const newest = messages.at(-1)?.id;

  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [newest]);

  // The open room's messages are read while the page is in view (clears its badge in the list).
  const visible = usePageVisible();
  useEffect(() => {
    if (view.unread > 0 && visible) client.rooms.markRead(jid);
  }, [client, jid, view.unread, visible]);

  return (
    <section className="room" data-testid="room" data-jid={jid} data-status={view.status}>
      <header className="pane-header">
        <h2>{shortName(jid)}</h2>
        <small>
          {jid} · {view.status} as {view.nick}
        </small>
        {view.status === 'joined' ? (
          <button type="button" data-testid="room-leave" onClick={() => void action.run(() => client.rooms.leave(jid)).then(onLeft)}>
            Leave
          </button>
        ) : (
          <button
            type="button"
            data-testid="room-rejoin"
            onClick={() => void action.run(() => client.rooms.join(jid, { nick: view.nick }))}
          >
            Join again
          </button>
        )}
      </header>
      <div className="subject">
        {subject === null ? (
          <>
            <span data-testid="room-subject">{view.subject || 'No subject'}</span>
            {view.can.setSubject && (
              <button type="button" data-testid="room-subject-edit" onClick={() => setSubject(view.subject ?? '')}>
                Change
              </button>
            )}
          </>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              client.rooms.setSubject(jid, subject);
              setSubject(null);
            }}
          >
            <input data-testid="room-subject-input" value={subject} onChange={(e) => setSubject(e.target.value)} autoFocus />
            <button type="submit" data-testid="room-subject-save">
              Save
            </button>
          </form>
        )}
      </div>
      {view.failure && (
        <p className="error" data-testid="room-failure">
          {view.failure.reason}
          {view.failure.text ? `: ${view.failure.text}` : ''}
        </p>
      )}
      {action.error && <p className="error">{action.error}</p>}
      <div className="room-body">
        <div className="room-chat">
          <div className="history-bar">
            {view.history.complete ? (
              <small>Start of the room's history</small>
            ) : (
              <button
                type="button"
                data-testid="load-older"
                disabled={view.history.loading || view.status !== 'joined'}
                onClick={() => void action.run(() => client.archive.loadOlder(jid, { room: true }))}
              >
                {view.history.loading ? 'Loading…' : 'Load older messages'}
              </button>
            )}
          </div>
          <ol className="messages" ref={list}>
            {messages.map((message) => (
              <li
                key={message.id}
                className={`message ${message.direction}${message.nick ? '' : ' system'}`}
                data-testid="room-message"
                data-direction={message.direction}
                data-state={message.state}
              >
                {message.nick && <b className="nick">{message.nick}</b>}
                <MessageBody body={message.body} oob={linkOf(message.body)} />
                <small className="meta">
                  {formatStamp(message.stamp)}
                  {message.state === 'sending' && ' …'}
                </small>
              </li>
            ))}
          </ol>
        </div>
        <ul className="occupants" data-testid="occupants">
          {view.occupants.map((o) => (
            <li key={o.nick} data-testid="occupant" data-nick={o.nick} data-role={o.role}>
              <span className={`dot dot-${o.show ?? 'available'}`} />
              {o.nick}
              <small> {o.affiliation !== 'none' ? o.affiliation : o.role}</small>
            </li>
          ))}
        </ul>
      </div>
      <UploadButton
        client={client}
        disabled={!view.can.send}
        upload={async (file) => {
          const { url } = await client.files.upload(file);
          return client.rooms.send(jid, url);
        }}
      />
      <Composer placeholder={`Message ${shortName(jid)}`} disabled={!view.can.send} onSend={(body) => client.rooms.send(jid, body)} />
    </section>
  );
}

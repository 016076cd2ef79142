// Binds to: the `chat:<jid>` actor through `connectChat` (messages, states, unread, typing) and the archive's `connectHistory` (scrollback).
import { useSelector } from '@xstate/react';
import { useEffect, useMemo, useRef } from 'react';
import { connectChat, connectHistory, connectRoster, type ChatMessage, type XmppClient } from 'xmpp-adapter';
import { conversationActor, feature, type Source, type ConversationSnapshot } from '../features';
import { formatStamp, shortName } from '../format';
import { usePageVisible } from '../page-visible';
import { useAction } from '../use-action';
import { Composer } from './Composer';
import { MessageBody } from './MessageBody';
import { UploadButton } from './UploadButton';

interface Props {
  client: XmppClient;
  jid: string;
}

const STATE_MARK: Record<ChatMessage['state'], string> = {
  sending: '…',
  sent: '✓',
  delivered: '✓✓',
  displayed: '✓✓ seen',
  error: '⚠',
};

export function Conversation({ client, jid }: Props) {
  // The conversation actor appears with the first message (or chat state) either way.
  const started = useSelector(feature(client, 'chat'), (s) => s.context.conversations.includes(jid));
  const name = useSelector(feature(client, 'roster'), (s) => connectRoster(s).get(jid)?.name) ?? shortName(jid);
  const actor = started ? conversationActor(client, jid) : undefined;

  return (
    <section className="conversation" data-testid="conversation" data-jid={jid}>
      <header className="pane-header">
        <h2>{name}</h2>
        <small>{jid}</small>
      </header>
      <HistoryBar client={client} jid={jid} />
      {actor ? (
        <Messages client={client} jid={jid} name={name} actor={actor} />
      ) : (
        <p className="placeholder">No messages yet. Say hello!</p>
      )}
      <UploadButton client={client} upload={(file) => client.files.upload(file, { to: jid })} />
      <Composer
        placeholder={`Message ${name}`}
        onSend={(body) => client.messages.send(jid, body)}
        onTyping={(state) => client.messages.compose(jid, state)}
      />
    </section>
  );
}

/** Scrollback from the server's archive; it also works before the conversation has any message here (a new device). */
function HistoryBar({ client, jid }: Props) {
  const history = useSelector(feature(client, 'archive'), (s) => connectHistory(s, jid));
  const older = useAction();
  return (
    <div className="history-bar">
      {history.complete ? (
        <small data-testid="history-complete">Start of the conversation</small>
      ) : (
        <button
          type="button"
          data-testid="load-older"
          disabled={history.loading}
          onClick={() => void older.run(() => client.archive.loadOlder(jid))}
        >
          {history.loading ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {(older.error ?? history.error) && <small className="error">{older.error ?? history.error}</small>}
    </div>
  );
}

function Messages({ client, jid, name, actor }: Props & { name: string; actor: Source<ConversationSnapshot> }) {
  // Hold the snapshot; derive the view only when it changed (as the Room pane does).
  const snapshot = useSelector(actor, (s) => s);
  const view = useMemo(() => connectChat(snapshot), [snapshot]);
  const messages = view.messages;
  const visible = usePageVisible();
  const list = useRef<HTMLOListElement>(null);
  const newest = messages.at(-1)?.id;

  // Reading the open conversation sends a displayed marker (XEP-0333), which clears the badge.
  useEffect(() => {
    if (view.unread > 0 && visible) client.messages.markRead(jid);
  }, [client, jid, view.unread, visible]);

  // Follow new messages; scrollback (older ones in front) keeps the position.
  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight });
  }, [newest]);

  return (
    <>
      <ol className="messages" ref={list}>
        {messages.map((message) => (
          <li
            key={message.id}
            className={`message ${message.direction}`}
            data-testid="message"
            data-direction={message.direction}
            data-state={message.state}
          >
            <MessageBody body={message.body} oob={message.oob} />
            {message.corrected && <small className="meta"> (edited)</small>}
            <small className="meta">
              {formatStamp(message.stamp)}
              {message.direction === 'out' && (
                <span className={`state state-${message.state}`} data-testid="message-state" title={message.state}>
                  {' '}
                  {STATE_MARK[message.state]}
                </span>
              )}
            </small>
            {message.error && <small className="error">{message.error.text ?? message.error.condition}</small>}
          </li>
        ))}
      </ol>
      <p className="typing" data-testid="typing" data-state={view.typing ?? 'none'}>
        {view.typing === 'composing' ? `${name} is typing…` : view.typing === 'paused' ? `${name} stopped typing` : '\u00a0'}
      </p>
    </>
  );
}

// Binds to: the connection view (`selectConnection`) and the archive's catch-up (`connectHistory(…).catchUp`).
import { useSelector } from '@xstate/react';
import { useEffect, useMemo, useState } from 'react';
import { connectHistory, selectConnection, type ConnectionView, type XmppClient } from 'xmpp-adapter';
import { feature } from '../features';

const reason = (view: ConnectionView) => (view.error ? ('condition' in view.error ? view.error.condition : view.error.kind) : undefined);

/** Seconds left until `deadline`, ticking while there is one (a display clock, not client state). */
function useCountdown(deadline: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (deadline === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline]);
  return deadline === undefined ? undefined : Math.max(0, Math.ceil((deadline - now) / 1000));
}

export function ConnectionBanner({ client }: { client: XmppClient }) {
  const connection = useSelector(client.actor, selectConnection);
  const catchUp = useSelector(feature(client, 'archive'), (s) => connectHistory(s, '').catchUp);
  // The wait is announced when the reconnecting state is entered: count down from that moment.
  const deadline = useMemo(
    () => (connection.status === 'reconnecting' && connection.retryInMs !== undefined ? Date.now() + connection.retryInMs : undefined),
    [connection.status, connection.retryInMs, connection.attempt],
  );
  const seconds = useCountdown(deadline);
  const why = reason(connection);

  let text: string;
  let tone: 'ok' | 'warn' | 'bad' = 'warn';
  switch (connection.status) {
    case 'online':
      text = connection.resumed ? 'Online (session resumed)' : 'Online';
      tone = 'ok';
      break;
    case 'reconnecting':
      text = `Connection lost${why ? ` (${why})` : ''}. Reconnecting in ${seconds ?? 0} s`;
      break;
    case 'authFailed':
    case 'conflict':
    case 'stopped':
      text = `Disconnected: ${connection.status}${why ? ` (${why})` : ''}`;
      tone = 'bad';
      break;
    default:
      text = `${connection.status[0]!.toUpperCase()}${connection.status.slice(1)}…`;
  }

  return (
    <div className={`banner banner-${tone}`} data-testid="connection-banner" data-status={connection.status}>
      <span data-testid="connection-text">{text}</span>
      {connection.status === 'reconnecting' && (
        <button type="button" data-testid="retry-now" onClick={() => client.reconnectNow()}>
          Retry now
        </button>
      )}
      {catchUp.status === 'running' && (
        <span className="catch-up" data-testid="catch-up">
          Catching up on missed messages… {catchUp.messages}
          {catchUp.total !== undefined ? ` of ${catchUp.total}` : ''}
        </span>
      )}
      {catchUp.status === 'failed' && <span className="catch-up">Catch-up failed: {catchUp.error}</span>}
    </div>
  );
}

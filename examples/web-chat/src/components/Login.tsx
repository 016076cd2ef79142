// Binds to: the connecting client's connection view (`selectConnection` on `client.actor`).
import { useSelector } from '@xstate/react';
import { useEffect, useState, type FormEvent } from 'react';
import { createXmppClient, selectConnection, type ConnectionView, type XmppClient } from 'xmpp-adapter';
import { errorText } from '../format';
import type { InspectorBridge } from '../inspector';
import { loginFieldsFromUrl, type LoginFields } from '../login-params';

interface Props {
  inspector: InspectorBridge;
  onOnline(client: XmppClient): void;
}

const initial = loginFieldsFromUrl();

export function Login({ inspector, onOnline }: Props) {
  const [fields, setFields] = useState<LoginFields>(initial);
  const [inspectFromStart, setInspectFromStart] = useState(false);
  const [pending, setPending] = useState<XmppClient | null>(null);
  const [invalid, setInvalid] = useState<string | undefined>();

  async function logIn(event?: FormEvent) {
    event?.preventDefault();
    setInvalid(undefined);
    let client: XmppClient;
    try {
      client = createXmppClient({
        ...fields,
        resource: `web-${Math.random().toString(36).slice(2, 8)}`,
        reconnect: { minDelay: 1000, maxDelay: 15_000 },
        inspect: inspector.inspect,
      });
    } catch (err) {
      setInvalid(errorText(err)); // InvalidOptionsError names the option
      return;
    }
    if (inspectFromStart) await inspector.open(client);
    setPending(client);
    // Rejects on authFailed / conflict; the status line below shows why, from the client's snapshot.
    client.start().catch(() => undefined);
  }

  useEffect(() => {
    if (initial.autologin && initial.username) void logIn();
    // Once, on page load (`?autologin=1`).
  }, []);

  const field = (name: keyof LoginFields, label: string, type = 'text') => (
    <label>
      {label}
      <input
        data-testid={`login-${name}`}
        type={type}
        value={fields[name]}
        disabled={pending !== null}
        onChange={(e) => setFields({ ...fields, [name]: e.target.value })}
        required
      />
    </label>
  );

  return (
    <main className="login">
      <form onSubmit={logIn} data-testid="login-form">
        <h1>Web chat</h1>
        {field('service', 'Service (WebSocket URL)')}
        {field('domain', 'Domain')}
        {field('username', 'Username')}
        {field('password', 'Password', 'password')}
        <label className="inline">
          <input type="checkbox" checked={inspectFromStart} onChange={(e) => setInspectFromStart(e.target.checked)} />
          Open the Stately inspector
        </label>
        {pending ? (
          <PendingLogin
            client={pending}
            onOnline={onOnline}
            onCancel={async () => {
              await pending.stop();
              setPending(null);
            }}
          />
        ) : (
          <button type="submit" data-testid="login-submit">
            Log in
          </button>
        )}
        {invalid && <p className="error">{invalid}</p>}
      </form>
    </main>
  );
}

function describe(view: ConnectionView): string {
  const why = view.error ? ('condition' in view.error ? view.error.condition : view.error.kind) : undefined;
  switch (view.status) {
    case 'authFailed':
      return `Login refused (${why ?? 'not-authorized'})`;
    case 'conflict':
      return 'Another login took this resource';
    case 'reconnecting':
      return `Cannot reach the server${why ? ` (${why})` : ''}; retrying in ${Math.ceil((view.retryInMs ?? 0) / 1000)} s`;
    default:
      return `${view.status}…`;
  }
}

function PendingLogin({ client, onOnline, onCancel }: { client: XmppClient; onOnline(client: XmppClient): void; onCancel(): void }) {
  const connection = useSelector(client.actor, selectConnection);
  const done = connection.status === 'authFailed' || connection.status === 'conflict' || connection.status === 'stopped';

  useEffect(() => {
    if (connection.status === 'online') onOnline(client);
  }, [connection.status, client, onOnline]);

  return (
    <div className="login-status">
      <p data-testid="login-status" data-status={connection.status} className={done ? 'error' : ''}>
        {describe(connection)}
      </p>
      <button type="button" onClick={onCancel}>
        {done ? 'Try again' : 'Cancel'}
      </button>
    </div>
  );
}

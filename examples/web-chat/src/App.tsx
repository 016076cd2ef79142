// The whole app: the login screen until a client is online, then the chat shell bound to that client.
import { useState } from 'react';
import type { XmppClient } from 'xmpp-adapter';
import { Login } from './components/Login';
import { Shell } from './components/Shell';
import { createInspectorBridge } from './inspector';

const inspector = createInspectorBridge();

export function App() {
  // The live client (an object the app owns, not a copy of its state).
  const [client, setClient] = useState<XmppClient | null>(null);

  if (!client) return <Login inspector={inspector} onOnline={setClient} />;
  return (
    <Shell
      client={client}
      inspector={inspector}
      onLogout={() => {
        // Unmount first: once stopped, the client's feature actors are gone.
        setClient(null);
        inspector.close();
        void client.stop();
      }}
    />
  );
}

// Binds to: nothing (a form); the new contact shows up through the roster snapshot.
import { useState, type FormEvent } from 'react';
import type { XmppClient } from 'xmpp-adapter';
import { useAction } from '../use-action';

export function AddContact({ client }: { client: XmppClient }) {
  const [jid, setJid] = useState('');
  const [name, setName] = useState('');
  const { error, busy, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await run(() => client.contacts.add(jid.trim(), name.trim() || undefined))) {
      setJid('');
      setName('');
    }
  }

  return (
    <form className="add-contact" onSubmit={submit}>
      <input
        data-testid="add-contact-jid"
        placeholder="someone@example.org"
        value={jid}
        onChange={(e) => setJid(e.target.value)}
        required
      />
      <input placeholder="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit" data-testid="add-contact-submit" disabled={busy}>
        Add contact
      </button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}

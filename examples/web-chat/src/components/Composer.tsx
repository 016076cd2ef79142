// Binds to: nothing (the draft is form state); sending and typing go to the library as commands.
import { useState, type FormEvent } from 'react';
import { useAction } from '../use-action';

interface Props {
  placeholder: string;
  disabled?: boolean;
  onSend(body: string): Promise<unknown>;
  /** XEP-0085: the draft started (`composing`) or was cleared (`active`). */
  onTyping?(state: 'composing' | 'active'): void;
}

export function Composer({ placeholder, disabled = false, onSend, onTyping }: Props) {
  const [draft, setDraft] = useState('');
  const { error, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = draft.trim();
    if (!body) return;
    setDraft('');
    // A failed send keeps the text, so nothing typed is lost.
    if (!(await run(() => onSend(body)))) setDraft(body);
  }

  return (
    <form className="composer" onSubmit={submit}>
      <input
        data-testid="composer-input"
        placeholder={placeholder}
        value={draft}
        disabled={disabled}
        onChange={(e) => {
          setDraft(e.target.value);
          onTyping?.(e.target.value ? 'composing' : 'active');
        }}
      />
      <button type="submit" data-testid="composer-send" disabled={disabled || draft.trim() === ''}>
        Send
      </button>
      {error && <p className="error">{error}</p>}
    </form>
  );
}

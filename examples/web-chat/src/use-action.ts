// Runs a library command from an event handler and keeps its failure for display (UI feedback only).
import { useCallback, useState } from 'react';
import { errorText } from './format';

export function useAction(): { error: string | undefined; busy: boolean; run(task: () => Promise<unknown> | void): Promise<boolean> } {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (task: () => Promise<unknown> | void) => {
    setError(undefined);
    setBusy(true);
    try {
      await task();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, busy, run };
}

import { describe, expect, it } from 'vitest';
import { createNotifier } from '../../../src/client/notifier.js';

describe('notifier', () => {
  it('calls every listener of the type, keeps going when one throws, and logs the error', () => {
    const errors: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_message: string, err: unknown) => errors.push(err) };
    const notifier = createNotifier<{ type: string; n: number }>(logger);
    const seen: string[] = [];
    notifier.on('message', () => {
      throw new Error('app bug');
    });
    const off = notifier.on('message', (e) => seen.push(`b${e.n}`));
    notifier.on('contact.request', (e) => seen.push(`c${e.n}`));
    notifier.notify({ type: 'message', n: 1 });
    notifier.notify({ type: 'contact.request', n: 2 });
    off();
    notifier.notify({ type: 'message', n: 3 });
    notifier.notify({ type: 'nobody-listens', n: 4 });
    expect(seen).toEqual(['b1', 'c2']);
    expect(errors).toHaveLength(2);
    expect((errors[0] as Error).message).toBe('app bug');
  });
});

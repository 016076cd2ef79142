// Small display helpers shared by the components.
import { parseJid } from 'xmpp-adapter';

/** The local part of a JID (`alice` of `alice@example.org/phone`), else the JID. */
export function shortName(jid: string): string {
  return parseJid(jid)?.local ?? jid;
}

/** `14:05` for today's stamps, else the date as well. */
export function formatStamp(stamp: string): string {
  const date = new Date(stamp);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return today ? time : `${date.toLocaleDateString()} ${time}`;
}

/** `1.2 MB` */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Whether a shared file URL looks like an image a browser can show inline. */
export const isImageUrl = (url: string) => /\.(png|jpe?g|gif|webp|avif|svg)$/i.test(new URL(url).pathname);

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

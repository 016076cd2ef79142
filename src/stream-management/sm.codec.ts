import { xml, type Element } from '@xmpp/xml';
import { NS_SM, type SmSessionInfo } from './sm-state.js';

export const buildEnable = (): Element => xml('enable', { xmlns: NS_SM, resume: 'true' });
export const buildResume = (previd: string, h: number): Element => xml('resume', { xmlns: NS_SM, previd, h: String(h) });
export const buildAck = (h: number): Element => xml('a', { xmlns: NS_SM, h: String(h) });
export const buildAckRequest = (): Element => xml('r', { xmlns: NS_SM });

/** Parses an `h` attribute; `undefined` when absent or not a 32-bit unsigned integer. */
export function parseH(el: Element): number | undefined {
  const raw = el.attrs.h;
  if (raw === undefined || !/^\d{1,10}$/.test(raw)) return undefined;
  const h = Number(raw);
  return h < 2 ** 32 ? h : undefined;
}

/** XEP-0198 §3: `<enabled id location max resume/>`. */
export function parseEnabled(el: Element): SmSessionInfo {
  const resume = el.attrs.resume;
  const id = el.attrs.id ?? '';
  return {
    id,
    location: el.attrs.location || undefined,
    resumable: (resume === 'true' || resume === '1') && id.length > 0,
  };
}

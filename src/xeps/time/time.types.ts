import type { SessionLifecycleEvent } from '../feature.js';
import type { IqRequestRef } from '../iq-request.js';

/** An entity's time as it answered (XEP-0202 §2), normalised. */
export interface EntityTime {
  /** The time zone offset as sent: `Z` or `±hh:mm` (XEP-0082 TZD). */
  tzo: string;
  /** The entity's idea of UTC, as an ISO 8601 string with milliseconds (`Date#toISOString`). */
  utc: string;
  /** `tzo` in minutes east of UTC (e.g. -360 for `-06:00`). */
  offsetMinutes: number;
}

/** An inbound entity-time get, as plain data. */
export interface TimeRequestEvent extends IqRequestRef {
  type: 'time.request';
}

export type TimeEvent = TimeRequestEvent | SessionLifecycleEvent;

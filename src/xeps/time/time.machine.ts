import { setup } from 'xstate';
import type { FeatureInput, FeatureServices } from '../feature.js';
import { StanzaParseError, replyResult } from '../iq-request.js';
import type { IqRequestOptions } from '../../iq/iq-tracker.js';
import { XmppAdapterError } from '../../errors.js';
import { buildTime, buildTimeRequest, parseTime } from './time.codec.js';
import type { EntityTime, TimeEvent } from './time.types.js';

/** The local wall clock: now, and the local offset in minutes east of UTC. */
export interface LocalTime {
  date: Date;
  offsetMinutes: number;
}

export function systemLocalTime(): LocalTime {
  const date = new Date();
  // `0 -` rather than unary minus: UTC would otherwise give -0.
  return { date, offsetMinutes: 0 - date.getTimezoneOffset() };
}

/** Asks `jid` for its time. Backs `client.time(jid)`. */
export async function entityTime(services: Pick<FeatureServices, 'iq'>, jid: string, options?: IqRequestOptions): Promise<EntityTime> {
  const reply = await services.iq.request(buildTimeRequest(jid), options);
  const time = parseTime(reply);
  if (time instanceof StanzaParseError) throw new XmppAdapterError('bad-reply', `malformed entity time from ${jid}: ${time.reason}`);
  return time;
}

/** The time actor: a responder with nothing to remember. `localTime` is injectable for tests. */
export function createTimeLogic(services: FeatureServices, localTime: () => LocalTime = systemLocalTime) {
  return setup({
    types: {
      context: {} as Record<string, never>,
      events: {} as TimeEvent,
      input: {} as FeatureInput,
    },
    actions: {
      answerTime: ({ event }) => {
        if (event.type !== 'time.request') return;
        const { date, offsetMinutes } = localTime();
        services.send(replyResult(event, buildTime(date, offsetMinutes)));
      },
    },
  }).createMachine({
    id: 'time',
    context: {},
    on: {
      'time.request': { actions: 'answerTime' },
    },
  });
}

export type TimeLogic = ReturnType<typeof createTimeLogic>;

import type { IqRequestRef } from '../iq-request.js';

/** An inbound ping get, as plain data. */
export interface PingRequestEvent extends IqRequestRef {
  type: 'ping.request';
}

export type PingEvent = PingRequestEvent;

/** What the keepalive is doing: waiting for the next probe, probing, switched off, or given up after a timeout. */
export type KeepaliveStatus = 'disabled' | 'waiting' | 'probing' | 'dead';

export interface PingContext {
  /** Where keepalive probes go: the own server. */
  domain: string;
  /** ms between the end of one probe and the start of the next; 0 or less switches keepalive off. */
  interval: number;
  /** ms a probe may go unanswered before the link counts as dead. */
  timeout: number;
  /** Round trip of the last answered probe, in ms. */
  lastRttMs: number | undefined;
  /** Probes answered (with a result or an error) since this actor started. */
  answered: number;
}

/** The output of one keepalive probe. */
export interface ProbeResult {
  rttMs: number;
  /** Both prove the link is alive: a result, or an error the server bothered to send. */
  reply: 'result' | 'error';
}

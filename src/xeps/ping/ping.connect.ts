import type { SnapshotFrom } from 'xstate';
import type { PingLogic } from './ping.machine.js';
import type { KeepaliveStatus } from './ping.types.js';

export interface PingView {
  /** Round trip of the last answered keepalive probe, in ms. */
  lastRttMs: number | undefined;
  /** A keepalive probe is in flight. */
  probing: boolean;
  status: KeepaliveStatus;
}

/** A UI-ready view of the ping actor's snapshot. */
export function connectPing(snapshot: SnapshotFrom<PingLogic>): PingView {
  const value = snapshot.value;
  return {
    lastRttMs: snapshot.context.lastRttMs,
    probing: value === 'probing',
    // `starting` is left at once (an eventless transition), so a snapshot never rests there.
    status: value === 'starting' ? 'waiting' : value,
  };
}

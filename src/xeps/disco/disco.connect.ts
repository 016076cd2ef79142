import type { SnapshotFrom } from 'xstate';
import type { DiscoLogic } from './disco.machine.js';
import type { ServerInfoStatus } from './disco.types.js';

export interface DiscoView {
  /** The server's disco#info features; empty until the first answer. */
  serverFeatures: readonly string[];
  /** Whether the server advertised `ns` (false while unknown). */
  supports(ns: string): boolean;
  status: ServerInfoStatus;
}

/** A UI-ready view of the disco actor's snapshot. */
export function connectDisco(snapshot: SnapshotFrom<DiscoLogic>): DiscoView {
  const serverFeatures = snapshot.context.server?.features ?? [];
  const value = snapshot.value as { server: ServerInfoStatus };
  return {
    serverFeatures,
    supports: (ns) => serverFeatures.includes(ns),
    status: value.server,
  };
}

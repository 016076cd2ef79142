import type { ConnectionView } from '../machines/connection.types.js';
import type { SessionContext } from '../machines/session.machine.js';

/** The connection status of a client snapshot, e.g. for `useSelector(client.actor, selectConnection)`. */
export function selectConnection(snapshot: { context: SessionContext }): ConnectionView {
  return snapshot.context.connection;
}

import type { SnapshotFrom } from 'xstate';
import type { CsiLogic } from './csi.machine.js';

export interface CsiView {
  /** What the app last said (`client.csi.setActive`). */
  active: boolean;
  /** Whether the current stream offers client state indication (without it, nothing is sent). */
  supported: boolean;
}

export function connectCsi(snapshot: SnapshotFrom<CsiLogic>): CsiView {
  return { active: snapshot.context.active, supported: snapshot.context.offered };
}

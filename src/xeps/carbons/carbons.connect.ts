import type { SnapshotFrom } from 'xstate';
import type { CarbonsLogic } from './carbons.machine.js';
import type { CarbonsStatus } from './carbons.types.js';

export interface CarbonsView {
  status: CarbonsStatus;
  enabled: boolean;
  /** Why the last enable failed. */
  error: string | undefined;
}

export function connectCarbons(snapshot: SnapshotFrom<CarbonsLogic>): CarbonsView {
  const { status, error } = snapshot.context;
  return { status, enabled: status === 'enabled', error };
}

import type { SnapshotFrom } from 'xstate';
import type { PushLogic } from './push.machine.js';
import type { PushRegistration, PushStatus } from './push.types.js';

export interface PushView {
  status: PushStatus;
  /** Whether the account offers push; undefined until asked on this session. */
  supported: boolean | undefined;
  /** What the app enabled (publish options included, so an app can save and restore them). */
  enabled: PushRegistration[];
  /** Why the last sync or command failed. */
  error: string | undefined;
}

/** A UI-ready view of the push actor's snapshot. */
export function connectPush(snapshot: SnapshotFrom<PushLogic>): PushView {
  const { registrations, supported, error, commandError } = snapshot.context;
  return { status: snapshot.value as PushStatus, supported, enabled: registrations, error: error ?? commandError };
}

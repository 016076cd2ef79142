import type { SnapshotFrom } from 'xstate';
import type { PushLogic } from './push.machine.js';
import type { PushRegistrationView, PushStatus } from './push.types.js';

export interface PushView {
  status: PushStatus;
  /** Whether the account offers push; undefined until asked on this session. */
  supported: boolean | undefined;
  /**
   * What the app enabled. The publish options are credentials and are never in a snapshot: an app
   * that restores registrations (`createPushFeature({ enabled })`) keeps its own copy of them.
   */
  enabled: PushRegistrationView[];
  /** Why the last sync or command failed. */
  error: string | undefined;
}

/** A UI-ready view of the push actor's snapshot. */
export function connectPush(snapshot: SnapshotFrom<PushLogic>): PushView {
  const { registrations, supported, error, commandError } = snapshot.context;
  return { status: snapshot.value as PushStatus, supported, enabled: registrations, error: error ?? commandError };
}

import type { SnapshotFrom } from 'xstate';
import type { UploadLogic } from './upload.machine.js';
import { isFinished } from './upload.machine.js';
import type { UploadFailure, UploadServiceStatus, UploadStatus } from './upload.types.js';

/** One upload as a UI shows it. */
export interface UploadView {
  id: string;
  filename: string;
  size: number;
  contentType?: string;
  status: UploadStatus;
  /** Bytes handed to the HTTP stack, and the share of the file they make (0..1). */
  sent: number;
  progress: number;
  /** Still running (not done, failed or cancelled). */
  active: boolean;
  /** The GET URL to share, once done. */
  url?: string;
  failure?: UploadFailure;
}

export interface UploadsView {
  /** Where discovery of the account's upload service stands (it runs on the first upload). */
  serviceStatus: UploadServiceStatus;
  /** The service's JID and limit, once found. */
  service?: { jid: string; maxFileSize?: number };
  /** Every listed upload, oldest first. */
  uploads: UploadView[];
  /** The running ones. */
  active: UploadView[];
  get(id: string): UploadView | undefined;
}

/** A UI-ready view of the upload manager's snapshot: the uploads with their status and progress. */
export function connectUploads(snapshot: SnapshotFrom<UploadLogic>): UploadsView {
  const { service, uploads } = snapshot.context;
  const list: UploadView[] = Object.values(uploads).map((u) => {
    const view: UploadView = {
      id: u.id,
      filename: u.filename,
      size: u.size,
      status: u.status,
      sent: u.sent,
      progress: u.size === 0 ? (u.status === 'done' ? 1 : 0) : Math.min(1, u.sent / u.size),
      active: !isFinished(u.status),
    };
    if (u.contentType !== undefined) view.contentType = u.contentType;
    if (u.url !== undefined) view.url = u.url;
    if (u.failure !== undefined) view.failure = u.failure;
    return view;
  });
  const view: UploadsView = {
    serviceStatus: snapshot.value as UploadServiceStatus,
    uploads: list,
    active: list.filter((u) => u.active),
    get: (id) => list.find((u) => u.id === id),
  };
  if (service) view.service = { ...service };
  return view;
}

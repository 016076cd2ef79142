// Binds to: the upload manager's running and failed uploads (`connectUploads(upload)`), with their progress.
import { useSelector } from '@xstate/react';
import { useRef } from 'react';
import { connectUploads, type XmppClient } from 'xmpp-adapter';
import { feature } from '../features';
import { formatBytes } from '../format';
import { useAction } from '../use-action';

interface Props {
  client: XmppClient;
  /** Uploads a picked file and shares it; `client.files.upload(file, { to })` for a 1:1 chat. */
  upload(file: File): Promise<unknown>;
  disabled?: boolean;
}

export function UploadButton({ client, upload, disabled = false }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const uploads = useSelector(feature(client, 'upload'), connectUploads);
  const { error, run } = useAction();
  const failed = uploads.uploads.filter((u) => u.status === 'failed').slice(-1);

  return (
    <div className="upload">
      <input
        ref={input}
        type="file"
        hidden
        data-testid="upload-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void run(() => upload(file));
        }}
      />
      <button type="button" data-testid="upload-button" disabled={disabled} onClick={() => input.current?.click()}>
        Send a file
      </button>
      {uploads.active.map((u) => (
        <div key={u.id} className="upload-progress" data-testid="upload-progress" data-status={u.status}>
          <span>
            {u.filename} ({formatBytes(u.size)}) · {u.status}
          </span>
          <progress max={1} value={u.progress} />
          <button type="button" onClick={() => client.files.cancel(u.id)}>
            Cancel
          </button>
        </div>
      ))}
      {failed.map((u) => (
        <p key={u.id} className="error">
          {u.filename}: {u.failure?.text ?? 'upload failed'}
        </p>
      ))}
      {error && <p className="error">{error}</p>}
    </div>
  );
}

import { useEffect, useRef, useState } from 'react';
import { formatBytes } from './format';
import { isBrowserHost, uploadFile, type Uploaded, type UploadPurpose, type UploadTask } from './fileTransfer';
import { ProgressBar } from './ProgressBar';
import './fileInput.css';

interface Props {
  purpose: UploadPurpose;
  /** File types the picker offers, e.g. ".gguf" or ".csv,.jsonl". */
  accept: string;
  /** What the upload is, for the drop zone: "a GGUF model". */
  what: string;
  /** Called with the staged file once the host has it; the caller runs its command with u.path. */
  onUploaded: (u: Uploaded) => void;
  disabled?: boolean;
  testId?: string;
  /** The path form: the only input in Electron, the "on the server" option in the browser host. */
  children: React.ReactNode;
}

type State = { kind: 'idle' } | { kind: 'sending'; name: string; sent: number; total: number } | { kind: 'done'; name: string; size: number } | { kind: 'failed'; message: string };

/**
 * Where a file comes from. In Electron: a path on this machine (the children). In the browser host: a file
 * picker and drop zone that uploads with progress and cancel (the default), and the path form below it for
 * files already on the server (a team server's shared folder).
 */
export function FileInput({ purpose, accept, what, onUploaded, disabled = false, testId, children }: Props): React.JSX.Element {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [over, setOver] = useState(false);
  const task = useRef<UploadTask | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  useEffect(() => () => task.current?.cancel(), []);
  if (!isBrowserHost) return <>{children}</>;

  const start = (file: File | undefined): void => {
    if (!file || state.kind === 'sending' || disabled) return;
    setState({ kind: 'sending', name: file.name, sent: 0, total: file.size });
    const t = uploadFile(file, purpose, (sent, total) => setState({ kind: 'sending', name: file.name, sent, total }));
    task.current = t;
    t.done.then(
      (u) => {
        task.current = null;
        setState({ kind: 'done', name: u.name, size: u.size });
        onUploaded(u);
      },
      (e: Error & { code?: string }) => {
        task.current = null;
        setState(e.code === 'CANCELLED' ? { kind: 'idle' } : { kind: 'failed', message: e.message });
      },
    );
  };

  return (
    <div className="fi" data-testid={testId}>
      <div
        className={`fi-drop${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          start(e.dataTransfer.files[0]);
        }}
      >
        <input
          ref={picker}
          type="file"
          className="fi-native"
          accept={accept}
          aria-label={`Upload ${what}`}
          data-testid={testId ? `${testId}-file` : undefined}
          disabled={disabled || state.kind === 'sending'}
          onChange={(e) => {
            start(e.target.files?.[0]);
            e.target.value = ''; // the same file again is a new upload
          }}
        />
        {state.kind === 'sending' ? (
          <div className="fi-progress">
            <ProgressBar value={state.total ? state.sent / state.total : null} label={`Uploading ${state.name} · ${formatBytes(state.sent)} of ${formatBytes(state.total)}`} testId={testId ? `${testId}-progress` : undefined} />
            <button type="button" className="btn btn-small" onClick={() => task.current?.cancel()}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="fi-prompt">
            <span>
              Drop {what} here or{' '}
              <button type="button" className="btn btn-small" disabled={disabled} onClick={() => picker.current?.click()}>
                Choose file…
              </button>
            </span>
            {state.kind === 'done' ? (
              <span className="fi-done" data-testid={testId ? `${testId}-done` : undefined}>
                ✓ uploaded <span className="mono">{state.name}</span> ({formatBytes(state.size)})
              </span>
            ) : null}
            {state.kind === 'failed' ? (
              <span className="fi-failed" role="alert">
                {state.message}
              </span>
            ) : null}
          </div>
        )}
      </div>
      <div className="fi-server">
        <span className="fi-or">or on the server</span>
        <div className="fi-server-form">{children}</div>
      </div>
    </div>
  );
}

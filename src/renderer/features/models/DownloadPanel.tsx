import { useState } from 'react';
import type { DownloadProgress, DownloadProjector } from '../../../shared/models.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatBytes } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { useModelsStore } from '../../client/models.store';

/** Start a download by hf: URI or URL and follow each one from downloads.progress events. */
export function DownloadPanel(): React.JSX.Element {
  const uriInput = useModelsStore((s) => s.uriInput);
  const starting = useModelsStore((s) => s.startingDownload);
  const error = useModelsStore((s) => s.downloadError);
  const downloads = useModelsStore((s) => s.downloads);
  const setUriInput = useModelsStore((s) => s.setUriInput);
  const download = useModelsStore((s) => s.download);
  const [withProjector, setWithProjector] = useState(true);
  const isHf = /^hf:/i.test(uriInput.trim());

  return (
    <section className="card">
      <h3 className="card-title">Download</h3>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void download(isHf ? { projector: withProjector } : {});
        }}
      >
        <input
          className="input mono grow"
          data-testid="download-uri-input"
          placeholder="hf:user/repo/file.gguf or https://…/file.gguf"
          spellCheck={false}
          value={uriInput}
          onChange={(e) => setUriInput(e.target.value)}
          aria-label="Hugging Face URI or URL"
        />
        <button type="submit" className="btn" data-testid="download-start" disabled={starting || !uriInput.trim()}>
          {starting ? 'Starting…' : 'Download'}
        </button>
      </form>
      {isHf ? (
        <label className="check download-projector-option">
          <input type="checkbox" data-testid="download-with-projector" checked={withProjector} onChange={(e) => setWithProjector(e.target.checked)} />
          Also fetch the repository&apos;s projector (mmproj), for images
        </label>
      ) : null}
      <ErrorNote error={error} testId="download-error" title="Could not start the download" />
      {downloads.length ? (
        <ul className="downloads">
          {downloads.map((d) => (
            <DownloadRow key={d.downloadId} d={d} />
          ))}
        </ul>
      ) : (
        <p className="hint">Files go to the data folder and are added to the library when complete.</p>
      )}
    </section>
  );
}

const STATE_WORD: Record<DownloadProgress['state'], string> = {
  running: 'Downloading',
  done: 'Done',
  cancelled: 'Cancelled',
  error: 'Failed',
};

function DownloadRow({ d }: { d: DownloadProgress }): React.JSX.Element {
  const cancel = useModelsStore((s) => s.cancelDownload);
  const dismiss = useModelsStore((s) => s.dismissDownload);
  const cancelling = useModelsStore((s) => s.cancelling.includes(d.downloadId));
  const fraction = d.totalBytes ? d.receivedBytes / d.totalBytes : null;
  const amount = d.totalBytes
    ? `${formatBytes(d.receivedBytes)} / ${formatBytes(d.totalBytes)}`
    : d.state === 'running' && d.receivedBytes === 0
      ? 'Connecting…'
      : formatBytes(d.receivedBytes);
  return (
    <li className={`download download-${d.state}`}>
      <div className="download-head">
        <span className="mono download-uri" title={d.uri}>{d.uri}</span>
        <span className={`tag tag-${d.state}`}>{STATE_WORD[d.state]}</span>
        {d.state === 'running' ? (
          <button
            type="button"
            className="btn btn-small"
            data-testid="download-cancel"
            disabled={cancelling}
            onClick={() => void cancel(d.downloadId)}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : (
          <button type="button" className="btn-icon" aria-label="Dismiss" title="Dismiss" onClick={() => dismiss(d.downloadId)}>
            ×
          </button>
        )}
      </div>
      <ProgressBar value={d.state === 'done' ? 1 : (fraction ?? (d.state === 'running' ? null : 0))} label={amount} testId="download-progress" />
      {d.state === 'error' || d.error ? (
        <ErrorNote error={{ code: null, message: d.error ?? 'The download failed without a reason.' }} testId="download-error" title="Download failed" />
      ) : null}
      {d.state === 'done' ? <div className="hint">Added to the library.</div> : null}
      {d.projector ? <ProjectorLine p={d.projector} /> : null}
    </li>
  );
}

const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** What became of the repository's projector: the file beside the model, or why there is none. */
function ProjectorLine({ p }: { p: DownloadProjector }): React.JSX.Element {
  const text =
    p.state === 'done' && p.path ? `projector: ${fileName(p.path)}`
    : p.state === 'listing' ? 'looking for a projector in the repository…'
    : p.state === 'running' ? `projector: ${fileName(p.uri ?? '')}`
    : p.state === 'cancelled' ? 'projector: cancelled'
    : (p.note ?? 'no projector');
  return (
    <div className={`hint download-projector${p.state === 'failed' ? ' text-warn' : ''}`} data-testid="download-projector" title={p.path ?? p.uri ?? undefined}>
      {text}
    </div>
  );
}

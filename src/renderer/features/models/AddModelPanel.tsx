import { codeWords } from '../../client/errors';
import { FileInput } from '../../ui/FileInput';
import { baseName, withoutNamePrefix } from '../../ui/format';
import { useModelsStore } from '../../client/models.store';

/** Add one GGUF by path, or scan a folder for them. Errors for both land in one area below. */
export function AddModelPanel(): React.JSX.Element {
  const pathInput = useModelsStore((s) => s.pathInput);
  const dirInput = useModelsStore((s) => s.dirInput);
  const adding = useModelsStore((s) => s.adding);
  const scanning = useModelsStore((s) => s.scanning);
  const setPathInput = useModelsStore((s) => s.setPathInput);
  const setDirInput = useModelsStore((s) => s.setDirInput);
  const add = useModelsStore((s) => s.add);
  const scan = useModelsStore((s) => s.scan);

  return (
    <section className="card">
      <h3 className="card-title">Add a local GGUF</h3>
      <FileInput purpose="model" accept=".gguf" what="a .gguf model" testId="model-upload" disabled={adding} onUploaded={(u) => void add(u.path)}>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <input
            className="input mono grow"
            data-testid="model-path-input"
            placeholder="/path/to/model.gguf"
            spellCheck={false}
            value={pathInput}
            onChange={(e) => setPathInput(e.target.value)}
            aria-label="Model file path"
          />
          <button type="submit" className="btn btn-primary" data-testid="model-add" disabled={adding || !pathInput.trim()}>
            {adding ? 'Adding…' : 'Add'}
          </button>
        </form>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void scan();
          }}
        >
          <input
            className="input mono grow"
            data-testid="scan-dir-input"
            placeholder="/path/to/folder"
            spellCheck={false}
            value={dirInput}
            onChange={(e) => setDirInput(e.target.value)}
            aria-label="Folder to scan"
          />
          <button type="submit" className="btn" data-testid="model-scan" disabled={scanning || !dirInput.trim()}>
            {scanning ? 'Scanning…' : 'Scan folder'}
          </button>
        </form>
      </FileInput>
      <AddResult />
    </section>
  );
}

function AddResult(): React.JSX.Element | null {
  const addError = useModelsStore((s) => s.addError);
  const scanError = useModelsStore((s) => s.scanError);
  const report = useModelsStore((s) => s.scanReport);
  const clear = useModelsStore((s) => s.clearAddErrors);

  const scanFileErrors = report?.errors ?? [];
  const hasError = addError || scanError || scanFileErrors.length > 0;
  return (
    <>
      {report ? (
        <div className="note" role="status">
          Scanned <span className="mono">{report.dir}</span>: added {report.added.length} model{report.added.length === 1 ? '' : 's'}
          {scanFileErrors.length ? `, ${scanFileErrors.length} file${scanFileErrors.length === 1 ? '' : 's'} failed` : ''}.
        </div>
      ) : null}
      {hasError ? (
        <div className="error-note" role="alert" data-testid="model-error">
          <div className="error-note-body">
            {addError ? (
              <>
                <div className="error-note-title">Could not add the model</div>
                <div className="error-note-message">
                  {codeWords(addError.code) ? <span className="error-code">{codeWords(addError.code)}</span> : null}
                  {addError.message}
                </div>
              </>
            ) : null}
            {scanError ? (
              <>
                <div className="error-note-title">Could not scan the folder</div>
                <div className="error-note-message">
                  {codeWords(scanError.code) ? <span className="error-code">{codeWords(scanError.code)}</span> : null}
                  {scanError.message}
                </div>
              </>
            ) : null}
            {scanFileErrors.length ? (
              <div className="error-note-title">
                {scanFileErrors.length === 1 ? '1 file could not be added' : `${scanFileErrors.length} files could not be added`}
              </div>
            ) : null}
            {scanFileErrors.length ? (
              <ul className="file-errors">
                {scanFileErrors.map((f) => (
                  <li key={f.path}>
                    <span className="mono file-error-name" title={f.path}>{baseName(f.path)}</span>
                    <span>{withoutNamePrefix(f.message, baseName(f.path))}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
          <button type="button" className="btn-icon" aria-label="Dismiss" title="Dismiss" onClick={clear}>
            ×
          </button>
        </div>
      ) : null}
    </>
  );
}


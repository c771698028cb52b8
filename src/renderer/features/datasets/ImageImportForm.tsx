import { useState } from 'react';
import { useDatasetsStore } from './datasets.store';

/**
 * An image folder on this machine (in the browser host: on the server) with an optional CSV/JSONL sidecar
 * that maps each file to a prompt, an answer or fields. Whole or nothing; other files are passed over.
 */
export function ImageImportForm(): React.JSX.Element {
  const importId = useDatasetsStore((s) => s.importId);
  const [dir, setDir] = useState('');
  const [sidecar, setSidecar] = useState('');
  const [name, setName] = useState('');
  const [prompt, setPrompt] = useState('');
  return (
    <form
      className="ds-image-import"
      data-testid="dataset-image-import"
      onSubmit={(e) => {
        e.preventDefault();
        void useDatasetsStore.getState().runImageImport({ dir, sidecar, name, prompt });
      }}
    >
      <div className="card-title">Or import a folder of images</div>
      <p className="hint">PNG, JPEG and WebP files in the folder (not its subfolders). A sidecar CSV/JSONL names each file (column file, or images) and may give prompt, answer and fields.</p>
      <div className="inline-form">
        <input className="input grow" aria-label="Image folder path" placeholder="/path/to/images" value={dir} onChange={(e) => setDir(e.target.value)} />
        <input className="input grow" aria-label="Sidecar file path" placeholder="sidecar .csv or .jsonl (optional)" value={sidecar} onChange={(e) => setSidecar(e.target.value)} />
      </div>
      <div className="inline-form">
        <input className="input grow" aria-label="Image dataset name" placeholder="Name (default: the folder's)" value={name} onChange={(e) => setName(e.target.value)} />
        <input className="input grow" aria-label="Default prompt" placeholder="Prompt for images the sidecar does not name (default: Describe this image.)" value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        <button type="submit" className="btn btn-primary" data-testid="dataset-image-import-run" disabled={importId !== null || dir.trim() === ''}>
          {importId ? 'Importing…' : 'Import images'}
        </button>
      </div>
    </form>
  );
}

import { useState } from 'react';
import { FileInput } from './FileInput';
import type { Uploaded, UploadPurpose } from './fileTransfer';

interface Props {
  path: string;
  onPath: (path: string) => void;
  onPreview: () => void;
  previewing: boolean;
  /** Disables the button beyond the empty-path and reading cases (an import under way). */
  busy?: boolean;
  placeholder: string;
  ariaLabel: string;
  inputTestId?: string;
  buttonTestId?: string;
  /** In the browser host: upload a file (the default) instead of naming one on the server. */
  upload?: { purpose: UploadPurpose; accept: string; what: string; testId?: string };
}

/** A file (uploaded, or a path) and a Preview button: the first step of every import. */
export function PathPreviewForm({ path, onPath, onPreview, previewing, busy = false, placeholder, ariaLabel, inputTestId, buttonTestId, upload }: Props): React.JSX.Element {
  // An uploaded file's staged path is the host's business: the path field stays for files on the server.
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const shown = uploaded && path === uploaded.path ? '' : path;
  const form = (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onPreview();
      }}
    >
      <input className="input grow mono" data-testid={inputTestId} aria-label={ariaLabel} placeholder={placeholder} value={shown} onChange={(e) => onPath(e.target.value)} />
      <button type="submit" className="btn" data-testid={buttonTestId} disabled={!path.trim() || previewing || busy}>
        {previewing ? 'Reading…' : 'Preview'}
      </button>
    </form>
  );
  if (!upload) return form;
  return (
    <FileInput
      purpose={upload.purpose}
      accept={upload.accept}
      what={upload.what}
      testId={upload.testId}
      disabled={busy}
      onUploaded={(u) => {
        setUploaded(u);
        onPath(u.path);
        onPreview();
      }}
    >
      {form}
    </FileInput>
  );
}

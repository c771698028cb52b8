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
}

/** A file path and a Preview button: the first step of every import. */
export function PathPreviewForm({ path, onPath, onPreview, previewing, busy = false, placeholder, ariaLabel, inputTestId, buttonTestId }: Props): React.JSX.Element {
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onPreview();
      }}
    >
      <input className="input grow mono" data-testid={inputTestId} aria-label={ariaLabel} placeholder={placeholder} value={path} onChange={(e) => onPath(e.target.value)} />
      <button type="submit" className="btn" data-testid={buttonTestId} disabled={!path.trim() || previewing || busy}>
        {previewing ? 'Reading…' : 'Preview'}
      </button>
    </form>
  );
}

import type { ShownError } from '../client/errors';
import { codeWords } from '../client/errors';

interface Props {
  error: ShownError | null;
  testId?: string;
  /** What was being attempted, e.g. "Could not load tiny.gguf". */
  title?: string;
  onDismiss?: () => void;
}

/** An inline, readable error next to what caused it. Renders nothing when there is no error. */
export function ErrorNote({ error, testId, title, onDismiss }: Props): React.JSX.Element | null {
  if (!error) return null;
  const words = codeWords(error.code);
  return (
    <div className="error-note" role="alert" data-testid={testId}>
      <div className="error-note-body">
        {title ? <div className="error-note-title">{title}</div> : null}
        <div className="error-note-message">
          {words ? <span className="error-code" title={error.code ?? undefined}>{words}</span> : null}
          {error.message}
        </div>
      </div>
      {onDismiss ? (
        <button type="button" className="btn-icon" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}

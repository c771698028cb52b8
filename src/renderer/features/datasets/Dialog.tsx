import { useEffect, useRef, useState } from 'react';
import type { DatasetJobProgress } from '../../../shared/datasets.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { toShownError, type ShownError } from '../../client/errors';
import { ProgressBar } from '../../ui/ProgressBar';
import { formatCount } from '../../ui/format';

/** A modal card over the view: Escape or the × closes it; focus starts inside. */
export function Dialog({ title, onClose, children, testId }: { title: string; onClose: () => void; children: React.ReactNode; testId?: string }): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>('input, select, button:not(.ds-dialog-close)');
    first?.focus();
  }, []);
  return (
    <div className="ds-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className="card ds-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <div className="section-head">
          <span className="card-title">{title}</span>
          <span className="spacer" />
          <button type="button" className="btn-icon ds-dialog-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

interface FormDialogProps {
  title: string;
  onClose: () => void;
  testId?: string;
  onSubmit: () => void;
  error: ShownError | null;
  errorTitle: string;
  /** Shown under the error once the action has run. */
  result?: React.ReactNode;
  submitLabel: string;
  submitDisabled: boolean;
  children: React.ReactNode;
}

/** A dialog holding one form: its fields, the error, a result and the submit button. */
export function FormDialog({ title, onClose, testId, onSubmit, error, errorTitle, result, submitLabel, submitDisabled, children }: FormDialogProps): React.JSX.Element {
  return (
    <Dialog title={title} onClose={onClose} testId={testId}>
      <form
        className="ds-form"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <ErrorNote error={error} title={errorTitle} />
        {result}
        <div className="ds-actions">
          <button type="submit" className="btn btn-primary" disabled={submitDisabled}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Busy and error state of a dialog's one action; `act` runs it, catching what it throws. */
export function useDialogAction(): { busy: boolean; error: ShownError | null; setError: (error: ShownError | null) => void; act: (fn: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const act = async (fn: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(toShownError(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, act };
}

const STATE_WORDS: Record<DatasetJobProgress['state'], string> = { running: 'running', done: 'done', cancelled: 'cancelled', failed: 'failed' };

/** A background job's bar with its Cancel button; the final state stays readable after it ends. */
export function JobBar({ job, label, onCancel }: { job: DatasetJobProgress; label: string; onCancel: () => void }): React.JSX.Element {
  const fraction = job.total > 0 ? job.done / job.total : job.state === 'running' ? null : 1;
  return (
    <div className="ds-job" data-testid={`dataset-job-${job.kind}`} data-state={job.state}>
      <ProgressBar value={fraction} label={`${label}: ${formatCount(job.done)} / ${formatCount(job.total)} · ${STATE_WORDS[job.state]}`} />
      {job.error ? <div className="text-danger ds-job-error">{job.error}</div> : null}
      {job.state === 'running' ? (
        <button type="button" className="btn btn-small" onClick={onCancel}>
          Cancel {label.toLowerCase()}
        </button>
      ) : null}
    </div>
  );
}

import { lazy, Suspense, useMemo } from 'react';
import type { DatasetRow } from '../../../../shared/datasets.schema';
import { findPii } from '../../../../shared/pii';
import { ImageViewer } from './ImageViewer';
import { PlainText } from './PlainText';

// Monaco is loaded when a labeler first presses E, not when the panel opens.
const ResponseEditor = lazy(() => import('./ResponseEditor'));

function Text({ text, testId, label }: { text: string; testId?: string; label?: string }): React.JSX.Element {
  const spans = useMemo(() => findPii(text), [text]);
  return <PlainText text={text} spans={spans} testId={testId} label={label} />;
}

interface Props {
  row: DatasetRow;
  editing: boolean;
  onSaveEdit: (text: string) => void;
  onCancelEdit: () => void;
  /** Shown instead of the response blocks in preference mode. */
  preference: React.ReactNode;
}

/** The conversation up to the turn to learn, then the answer: response, chosen/rejected pair, model draft. */
export function RecordView(props: Props): React.JSX.Element {
  // An image row: the image beside the fields being corrected.
  if (props.row.images.length === 0) return <RecordFields {...props} />;
  return (
    <div className="lb-with-image">
      <ImageViewer hashes={props.row.images} />
      <RecordFields {...props} />
    </div>
  );
}

function RecordFields({ row, editing, onSaveEdit, onCancelEdit, preference }: Props): React.JSX.Element {
  const { record } = row;
  return (
    <div className="lb-record" data-testid="labeling-record">
      <section className="lb-conversation" aria-label="Conversation">
        {record.messages.map((m, i) => (
          <div key={i} className={`lb-msg lb-msg-${m.role}`} data-testid={`labeling-message-${m.role}`}>
            <div className="lb-role">{m.role}</div>
            <Text text={m.content} label={`${m.role} message`} />
          </div>
        ))}
      </section>

      {preference ?? (
        <>
          <section className="lb-answer" aria-label="Response">
            <div className="lb-block-head">
              <h3>Response</h3>
              {!editing ? (
                <span className="hint">
                  <kbd>E</kbd> edit
                </span>
              ) : (
                <span className="hint">
                  <kbd>Ctrl</kbd>+<kbd>Enter</kbd> save · <kbd>Esc</kbd> cancel
                </span>
              )}
            </div>
            {editing ? (
              <Suspense fallback={<div className="monaco-host lb-editor monaco-loading" />}>
                <ResponseEditor initial={record.response ?? row.draft ?? ''} onSave={onSaveEdit} onCancel={onCancelEdit} />
              </Suspense>
            ) : record.response != null ? (
              <Text text={record.response} testId="labeling-response" label="Response" />
            ) : (
              <p className="muted lb-none" data-testid="labeling-response">
                No response yet{row.draft != null ? ': D takes the draft below, E writes one.' : ': E writes one.'}
              </p>
            )}
          </section>

          {record.chosen != null || record.rejected != null ? (
            <section className="lb-pair" aria-label="Preference pair">
              <div className="lb-pair-col lb-chosen">
                <h3>Chosen</h3>
                <Text text={record.chosen ?? ''} testId="labeling-chosen" label="Chosen answer" />
              </div>
              <div className="lb-pair-col lb-rejected">
                <h3>Rejected</h3>
                <Text text={record.rejected ?? ''} testId="labeling-rejected" label="Rejected answer" />
              </div>
            </section>
          ) : null}

          {row.draft != null ? (
            <section className="lb-draft" aria-label="Model draft">
              <div className="lb-block-head">
                <h3>Model draft</h3>
                <span className="hint">
                  <kbd>D</kbd> use as the response
                </span>
              </div>
              <Text text={row.draft} testId="labeling-draft" label="Model draft" />
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}

// One row waiting for review: each labeler's answer with a button to take it, and beside them a "Write an
// answer" editor for a resolution of the reviewer's own (status, rating, single-choice labels, a note).
import { useState } from 'react';
import { RowStatus, type LabelPatch, type LabelSchema } from '../../../shared/datasets.schema';
import type { ReviewItem } from '../../../shared/team.schema';
import type { ShownError } from '../../client/errors';
import { ErrorNote } from '../../ui/ErrorNote';
import { preview } from '../../ui/format';
import { LabelChoices } from './LabelChoices';
import { answerWords, EMPTY_ANSWER, toAnswerPatch, type AnswerForm } from './teamView';

type Choice = { labelerId: string } | { patch: LabelPatch };

export function TeamReviewItem({ item, schema, onResolve }: { item: ReviewItem; schema: LabelSchema | null; onResolve: (choice: Choice) => void }): React.JSX.Element {
  return (
    <div className="team-review-item" data-testid="team-review-item">
      <div className="muted">
        Row {item.rowId} · {item.reason === 'disagreement' ? `answers differ on ${item.fields.join(', ')}` : 'rejected by a labeler'}
      </div>
      <div className="team-text">{preview(item.row.prompt, 300)}</div>
      <div className="team-review-body">
        <div className="team-review-choices">
          {item.answers.map((a) => (
            <div key={a.labelerId} className="team-answer-line">
              <span>{a.name}:</span> <span data-testid="team-answer">{answerWords(a.patch)}</span>
              <button type="button" className="btn btn-small" data-testid="team-choose" onClick={() => onResolve({ labelerId: a.labelerId })}>
                Use {a.name}&apos;s answer
              </button>
            </div>
          ))}
        </div>
        <WriteAnswer schema={schema} onSave={(patch) => onResolve({ patch })} />
      </div>
    </div>
  );
}

function WriteAnswer({ schema, onSave }: { schema: LabelSchema | null; onSave: (patch: LabelPatch) => void }): React.JSX.Element {
  const [form, setForm] = useState<AnswerForm>(EMPTY_ANSWER);
  const [error, setError] = useState<ShownError | null>(null);
  const save = () => {
    const r = toAnswerPatch(form);
    if (!r.ok) return setError({ code: 'BAD_INPUT', message: r.error });
    setError(null);
    onSave(r.patch);
  };
  return (
    <fieldset className="team-write" data-testid="team-write">
      <legend>Write an answer</legend>
      <label className="team-field">
        <span>status</span>
        <select className="input" data-testid="team-write-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value as AnswerForm['status'] })}>
          <option value="">—</option>
          {RowStatus.options.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <LabelChoices
        schema={schema}
        labels={form.labels}
        onLabels={(labels) => setForm({ ...form, labels })}
        rating={form.rating}
        onRating={(rating) => setForm({ ...form, rating })}
        testIds={{ field: (name) => `team-write-${name}`, rating: 'team-write-rating' }}
      />
      <label className="team-field">
        <span>note</span>
        <input className="input" data-testid="team-write-note" value={form.note} maxLength={10_000} onChange={(e) => setForm({ ...form, note: e.target.value })} />
      </label>
      <ErrorNote error={error} testId="team-write-error" />
      <button type="button" className="btn btn-primary btn-small" data-testid="team-write-save" onClick={save}>
        Save as the resolution
      </button>
    </fieldset>
  );
}

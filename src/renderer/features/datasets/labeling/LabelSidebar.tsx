import { useEffect, useState, type RefObject } from 'react';
import type { DatasetRow, LabelPatch, LabelSchema } from '../../../../shared/datasets.schema';
import { formatTime } from '../../../ui/format';
import { toggleLabel, type OptionKey } from './keymap';

interface Props {
  row: DatasetRow;
  schema: LabelSchema;
  bindings: readonly OptionKey[];
  disabled: boolean;
  labelerName: string | null;
  onLabel: (patch: LabelPatch, what: string, advance?: boolean) => void;
  noteRef: RefObject<HTMLTextAreaElement | null>;
  tagRef: RefObject<HTMLInputElement | null>;
  tagging: boolean;
  setTagging: (on: boolean) => void;
}

const STATUS_WORDS = { new: 'new', accepted: 'accepted', rejected: 'rejected', skipped: 'skipped' } as const;

/** Everything a labeler sets on a row, with the keys that set it, plus what the analysis flagged. */
export function LabelSidebar({ row, schema, bindings, disabled, labelerName, onLabel, noteRef, tagRef, tagging, setTagging }: Props): React.JSX.Element {
  const [note, setNote] = useState(row.note ?? '');
  const [tag, setTag] = useState('');
  useEffect(() => setNote(row.note ?? ''), [row.id, row.note]);

  const saveNote = (): void => {
    const next = note.trim() ? note : null;
    if (next !== (row.note ?? null)) onLabel({ note: next }, 'note');
  };
  const addTag = (): void => {
    const t = tag.trim();
    setTag('');
    setTagging(false);
    if (t && !row.tags.includes(t)) onLabel({ tags: [...row.tags, t] }, `tag ${t}`);
  };
  const setLabel = (field: string, option: string): void => onLabel({ labels: toggleLabel(schema, row.labels, field, option) }, `${field}=${option}`);

  return (
    <aside className="lb-side" aria-label="Labels">
      <div className="lb-side-block">
        <div className="lb-side-label">Status</div>
        <div className="lb-status-row">
          <span className={`tag lb-status lb-status-${row.status}`} data-testid="labeling-status">
            {STATUS_WORDS[row.status]}
          </span>
          <div className="lb-status-buttons">
            <button type="button" className="btn btn-small" disabled={disabled} aria-label="Accept and go to the next row" onClick={() => onLabel({ status: 'accepted' }, 'accepted', true)}>
              <kbd>A</kbd> Accept
            </button>
            <button type="button" className="btn btn-small" disabled={disabled} aria-label="Reject and go to the next row" onClick={() => onLabel({ status: 'rejected' }, 'rejected', true)}>
              <kbd>R</kbd> Reject
            </button>
            <button type="button" className="btn btn-small" disabled={disabled} aria-label="Skip and go to the next row" onClick={() => onLabel({ status: 'skipped' }, 'skipped', true)}>
              <kbd>S</kbd> Skip
            </button>
          </div>
        </div>
      </div>

      <div className="lb-side-block">
        <div className="lb-side-label">Rating</div>
        <div className="lb-rating" role="group" aria-label="Rating" data-testid="labeling-rating">
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              className={row.rating != null && n <= row.rating ? 'lb-star on' : 'lb-star'}
              aria-label={`Rate ${n} of 5`}
              aria-pressed={row.rating === n}
              disabled={disabled}
              onClick={() => onLabel({ rating: row.rating === n ? null : n }, `rating ${n}`)}
            >
              {n}
            </button>
          ))}
        </div>
      </div>

      {schema.fields.map((field) => {
        const value = row.labels[field.name];
        const chosen = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
        const keyed = bindings.filter((b) => b.field === field.name);
        return (
          <div className="lb-side-block" key={field.name}>
            <div className="lb-side-label">
              {field.name} <span className="faint">{field.kind === 'multi' ? 'any' : 'one'}</span>
            </div>
            {keyed.length ? (
              <div className="lb-options" role="group" aria-label={`Label ${field.name}`}>
                {keyed.map((b) => (
                  <button
                    key={b.option}
                    type="button"
                    className={chosen.includes(b.option) ? 'lb-option on' : 'lb-option'}
                    aria-pressed={chosen.includes(b.option)}
                    aria-label={`${field.name}: ${b.option} (key ${b.key.toUpperCase()})`}
                    data-testid={`labeling-option-${field.name}-${b.option}`}
                    disabled={disabled}
                    onClick={() => setLabel(field.name, b.option)}
                  >
                    <kbd>{b.key.toUpperCase()}</kbd> {b.option}
                  </button>
                ))}
              </div>
            ) : (
              <select
                className="input lb-select"
                aria-label={`Label ${field.name}`}
                disabled={disabled}
                value={field.kind === 'single' ? (chosen[0] ?? '') : ''}
                onChange={(e) => {
                  if (e.target.value) setLabel(field.name, e.target.value);
                  else if (chosen[0]) setLabel(field.name, chosen[0]);
                }}
              >
                <option value="">{field.kind === 'single' ? '—' : chosen.length ? chosen.join(', ') : 'toggle…'}</option>
                {field.options.map((o) => (
                  <option key={o} value={o}>
                    {field.kind === 'multi' ? `${chosen.includes(o) ? '✓ ' : '  '}${o}` : o}
                  </option>
                ))}
              </select>
            )}
          </div>
        );
      })}

      <div className="lb-side-block">
        <div className="lb-side-label">Tags</div>
        <div className="chips lb-tags" data-testid="labeling-tags">
          {row.tags.map((t) => (
            <span key={t} className="chip lb-tag">
              {t}
              <button type="button" className="lb-tag-x" aria-label={`Remove tag ${t}`} disabled={disabled} onClick={() => onLabel({ tags: row.tags.filter((x) => x !== t) }, `untag ${t}`)}>
                ×
              </button>
            </span>
          ))}
          {tagging ? (
            <input
              ref={tagRef}
              className="input lb-tag-input"
              aria-label="New tag (Enter adds, Escape cancels)"
              data-testid="labeling-tag-input"
              value={tag}
              maxLength={60}
              onChange={(e) => setTag(e.target.value)}
              onBlur={() => (tag.trim() ? addTag() : setTagging(false))}
              onKeyDown={(e) => {
                if (e.key === 'Enter') addTag();
                if (e.key === 'Escape') {
                  setTag('');
                  setTagging(false);
                }
              }}
            />
          ) : (
            <button type="button" className="btn-link" aria-label="Add a tag" disabled={disabled} onClick={() => setTagging(true)}>
              <kbd>T</kbd> add tag
            </button>
          )}
        </div>
      </div>

      <div className="lb-side-block">
        <label className="lb-side-label" htmlFor="lb-note">
          Note <span className="faint">N · saved on leaving or Ctrl+Enter</span>
        </label>
        <textarea
          id="lb-note"
          ref={noteRef}
          className="input lb-note"
          rows={3}
          disabled={disabled}
          value={note}
          maxLength={10_000}
          data-testid="labeling-note"
          onChange={(e) => setNote(e.target.value)}
          onBlur={saveNote}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              e.currentTarget.blur();
            }
            if (e.key === 'Escape') {
              setNote(row.note ?? '');
              // Blur after the reset so the unchanged note is not saved.
              const el = e.currentTarget;
              setTimeout(() => el.blur(), 0);
            }
          }}
        />
      </div>

      <div className="lb-side-block lb-flags" data-testid="labeling-flags">
        <div className="lb-side-label">Flags</div>
        {row.dupOf == null && row.nearDupOf == null && row.pii.length === 0 ? <span className="hint">none</span> : null}
        {row.dupOf != null ? <span className="chip chip-warn">duplicate of row id {row.dupOf}</span> : null}
        {row.nearDupOf != null ? <span className="chip chip-warn">near-duplicate of row id {row.nearDupOf}</span> : null}
        {row.pii.map((k) => (
          <span key={k} className="chip lb-chip-pii">
            PII: {k.replace('_', ' ')}
          </span>
        ))}
      </div>

      <dl className="lb-meta">
        <dt>Labeled by</dt>
        <dd data-testid="labeling-labeler">{row.labelerId ? (labelerName ?? 'another profile') : '—'}</dd>
        <dt>When</dt>
        <dd>{row.labeledAt ? formatTime(row.labeledAt) : '—'}</dd>
        <dt>Source line</dt>
        <dd className="num">{row.line ?? '—'}</dd>
        <dt>Row</dt>
        <dd className="num" title={`Row id ${row.id}`}>
          #{row.ord + 1} of the import
        </dd>
        {row.tokens != null ? (
          <>
            <dt>Tokens</dt>
            <dd className="num">{row.tokens}</dd>
          </>
        ) : null}
        {row.split ? (
          <>
            <dt>Split</dt>
            <dd>{row.split}</dd>
          </>
        ) : null}
      </dl>
    </aside>
  );
}

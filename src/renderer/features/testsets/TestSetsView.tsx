import { useEffect } from 'react';
import type { TestSetRow } from '../../../shared/testsets.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { PathPreviewForm } from '../../ui/PathPreviewForm';
import { formatBytes, formatCount, formatTime } from '../../ui/format';
import { ImageCell } from './ImageCell';
import type { ColumnRoleKind } from './mapping';
import { PAGE_SIZE, useTestSetsStore } from './testsets.store';
import './testsets.css';

const DELIMITER_WORDS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

export function TestSetsView(): React.JSX.Element {
  const sets = useTestSetsStore((s) => s.sets);
  const listed = useTestSetsStore((s) => s.listed);
  const listError = useTestSetsStore((s) => s.listError);
  const selectedId = useTestSetsStore((s) => s.selected?.id ?? null);
  const importing = useTestSetsStore((s) => s.importing);
  const outcome = useTestSetsStore((s) => s.outcome);
  const { refresh, select, startImport } = useTestSetsStore.getState();

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <div className="view view-testsets">
      <aside className="ts-list" aria-label="Test sets">
        <div className="ts-list-head">
          <span className="card-title">Test sets</span>
          <span className="spacer" />
          <button type="button" className="btn btn-primary btn-small" data-testid="testset-import-open" onClick={startImport}>
            Import…
          </button>
        </div>
        <ErrorNote error={listError} title="Could not list test sets" />
        <ul>
          {sets.map((t) => (
            <li key={t.id}>
              <button type="button" className={t.id === selectedId ? 'ts-row current' : 'ts-row'} data-testid="testset-row" onClick={() => void select(t.id)}>
                <span className="ts-row-name">{t.name}</span>
                <span className="muted num">
                  {formatCount(t.rowCount)} rows · {t.variables.map((v) => ((t.imageVariables ?? []).includes(v) ? `${v} (image)` : v)).join(', ') || 'no variables'} · {formatTime(t.updatedAt)}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {listed && sets.length === 0 ? <p className="hint">No test sets yet. Import a CSV or JSONL file.</p> : null}
      </aside>
      <section className="ts-main">
        {importing || !selectedId ? <ImportPanel /> : null}
        {outcome ? <ImportOutcomeNote /> : null}
        {selectedId && !importing ? <RowGrid /> : null}
      </section>
    </div>
  );
}

function ImportPanel(): React.JSX.Element {
  const path = useTestSetsStore((s) => s.path);
  const name = useTestSetsStore((s) => s.name);
  const preview = useTestSetsStore((s) => s.preview);
  const roles = useTestSetsStore((s) => s.roles);
  const previewing = useTestSetsStore((s) => s.previewing);
  const busy = useTestSetsStore((s) => s.importBusy);
  const error = useTestSetsStore((s) => s.importError);
  const { setPath, setName, runPreview, setRole, runImport, closeImport } = useTestSetsStore.getState();

  return (
    <div className="card ts-import">
      <div className="section-head">
        <span className="card-title">Import a test set</span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-small" onClick={closeImport}>
          Close
        </button>
      </div>
      <PathPreviewForm
        path={path}
        onPath={setPath}
        onPreview={() => void runPreview()}
        previewing={previewing}
        placeholder="/path/to/rows.csv or rows.jsonl"
        ariaLabel="File path"
        inputTestId="testset-path-input"
        buttonTestId="testset-preview-button"
        upload={{ purpose: 'testset', accept: '.csv,.tsv,.jsonl,.txt', what: 'a CSV or JSONL file', testId: 'testset-upload' }}
      />
      <ErrorNote error={error} title="Import problem" />
      {preview ? (
        <div className="ts-preview" data-testid="testset-preview">
          <div className="ts-facts muted">
            <span className="chip">{preview.format.toUpperCase()}</span>
            {preview.delimiter ? <span className="chip">{DELIMITER_WORDS[preview.delimiter] ?? preview.delimiter}-separated</span> : null}
            <span>{formatBytes(preview.sizeBytes)}</span>
            <span>
              {preview.lineCountExact ? '' : '≈ '}
              {formatCount(preview.lineCount)} lines
            </span>
          </div>
          <div className="table-wrap">
            <table className="table ts-table">
              <thead>
                <tr>
                  <th className="num">line</th>
                  {preview.columns.map((c) => (
                    <th key={c}>
                      <div className="ts-col-name">{c}</div>
                      <div className="ts-col-map">
                        <select
                          className="input"
                          aria-label={`Column ${c} role`}
                          data-testid="testset-map-role"
                          value={roles[c]?.role ?? 'ignore'}
                          onChange={(e) => setRole(c, { role: e.target.value as ColumnRoleKind, name: roles[c]?.name || c.replace(/[^A-Za-z0-9_.-]/g, '_') })}
                        >
                          <option value="variable">variable</option>
                          <option value="image">image (file or data URI)</option>
                          <option value="expected">expected</option>
                          <option value="label">label</option>
                          <option value="ignore">ignore</option>
                        </select>
                        {roles[c]?.role === 'variable' || roles[c]?.role === 'image' ? (
                          <input
                            className="input mono"
                            aria-label={`Column ${c} variable name`}
                            value={roles[c]?.name ?? ''}
                            onChange={(e) => setRole(c, { role: roles[c]?.role ?? 'variable', name: e.target.value })}
                          />
                        ) : null}
                      </div>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.rows.slice(0, 10).map((r) => (
                  <tr key={r.line}>
                    <td className="num muted">{r.line}</td>
                    {preview.columns.map((c) => (
                      <td key={c} className="ts-cell-text">
                        {r.values[c] ?? ''}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {preview.bad.length ? <BadRows bad={preview.bad} total={preview.bad.length} /> : <p className="hint">No bad rows in the lines read.</p>}
          <div className="inline-form">
            <input className="input grow" data-testid="testset-name-input" aria-label="Test set name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} />
            <button type="button" className="btn btn-primary" data-testid="testset-import" disabled={busy} onClick={() => void runImport()}>
              {busy ? 'Importing…' : 'Import'}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function BadRows({ bad, total }: { bad: readonly { line: number; reason: string }[]; total: number }): React.JSX.Element {
  return (
    <div className="ts-bad" data-testid="testset-bad-rows">
      <div className="text-warn">
        {formatCount(total)} bad row{total === 1 ? '' : 's'}
        {total > bad.length ? ` (first ${bad.length} listed)` : ''}
      </div>
      <ul>
        {bad.map((b) => (
          <li key={`${b.line}-${b.reason}`}>
            <span className="num mono">line {b.line}</span> {b.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

function ImportOutcomeNote(): React.JSX.Element | null {
  const outcome = useTestSetsStore((s) => s.outcome);
  if (!outcome) return null;
  return (
    <div className="card ts-outcome" data-testid="testset-import-result">
      Imported <strong className="num">{formatCount(outcome.imported)}</strong> rows into “{outcome.name}”
      {outcome.badTotal ? `; ${formatCount(outcome.badTotal)} skipped.` : '; no bad rows.'}
      {outcome.bad.length ? <BadRows bad={outcome.bad} total={outcome.badTotal} /> : null}
    </div>
  );
}

function RowGrid(): React.JSX.Element | null {
  const info = useTestSetsStore((s) => s.selected);
  const rows = useTestSetsStore((s) => s.rows);
  const total = useTestSetsStore((s) => s.total);
  const offset = useTestSetsStore((s) => s.offset);
  const error = useTestSetsStore((s) => s.rowsError);
  const { loadRows, addRow } = useTestSetsStore.getState();
  if (!info) return null;
  return (
    <div className="card ts-grid">
      <div className="section-head">
        <span className="card-title">{info.name}</span>
        <span className="muted num">{formatCount(total)} rows</span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" data-testid="testset-row-add" onClick={() => void addRow()}>
          + Row
        </button>
      </div>
      <ErrorNote error={error} title="Row problem" />
      <div className="table-wrap">
        <table className="table ts-table">
          <thead>
            <tr>
              <th className="num">#</th>
              {info.variables.map((v) => (
                <th key={v} className="mono">
                  {info.imageVariables.includes(v) ? `{{image:${v}}}` : `{{${v}}}`}
                </th>
              ))}
              <th>expected</th>
              <th>label</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <GridRow key={r.id} row={r} index={offset + i} variables={info.variables} imageVariables={info.imageVariables} />
            ))}
          </tbody>
        </table>
      </div>
      <div className="ts-pager">
        <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => void loadRows(Math.max(0, offset - PAGE_SIZE))}>
          ‹ Previous
        </button>
        <span className="muted num">
          {total ? `${offset + 1}–${Math.min(total, offset + PAGE_SIZE)} of ${total}` : 'no rows'}
        </span>
        <button type="button" className="btn btn-small" disabled={offset + PAGE_SIZE >= total} onClick={() => void loadRows(offset + PAGE_SIZE)}>
          Next ›
        </button>
      </div>
    </div>
  );
}

/** Cells save on blur when changed: uncontrolled inputs keyed by the stored value reset after a save. */
function GridRow({ row, index, variables, imageVariables }: { row: TestSetRow; index: number; variables: readonly string[]; imageVariables: readonly string[] }): React.JSX.Element {
  const { updateRow, deleteRow } = useTestSetsStore.getState();
  return (
    <tr data-testid="testset-grid-row">
      <td className="num muted">{index + 1}</td>
      {variables.map((v) => {
        const value = row.variables[v] ?? '';
        if (imageVariables.includes(v)) {
          return (
            <td key={v}>
              <ImageCell rowId={row.id} rowNumber={index + 1} variable={v} hash={value} />
            </td>
          );
        }
        return (
          <td key={v}>
            <input
              key={value}
              className="input ts-cell"
              aria-label={`Row ${index + 1} ${v}`}
              defaultValue={value}
              onBlur={(e) => {
                if (e.target.value !== value) void updateRow(row.id, { variables: { [v]: e.target.value } });
              }}
            />
          </td>
        );
      })}
      {(['expected', 'label'] as const).map((field) => {
        const value = row[field] ?? '';
        return (
          <td key={field}>
            <input
              key={value}
              className="input ts-cell"
              aria-label={`Row ${index + 1} ${field}`}
              defaultValue={value}
              onBlur={(e) => {
                if (e.target.value !== value) void updateRow(row.id, { [field]: e.target.value === '' ? null : e.target.value });
              }}
            />
          </td>
        );
      })}
      <td>
        <button type="button" className="btn-icon" aria-label={`Delete row ${index + 1}`} title="Delete this row" onClick={() => void deleteRow(row.id)}>
          ×
        </button>
      </td>
    </tr>
  );
}

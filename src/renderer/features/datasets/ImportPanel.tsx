import type { BadLine } from '../../../shared/datasets.schema';
import type { DatasetRecord, FieldMapping } from '../../../shared/datasets.record';
import { ErrorNote } from '../../ui/ErrorNote';
import { PathPreviewForm } from '../../ui/PathPreviewForm';
import { ProgressBar } from '../../ui/ProgressBar';
import { formatBytes, formatCount, formatRate } from '../../ui/format';
import { useDatasetsStore } from './datasets.store';
import { ImageImportForm } from './ImageImportForm';
import { ImportImagesReport, imageImportSummary } from './ImportImagesReport';
import { shownReport } from './importReport';
import type { ImportChoice } from './importSlice';

const FORMATS = ['auto', 'messages', 'alpaca', 'sharegpt', 'preference', 'columns'] as const;
const CONTAINERS = ['auto', 'jsonl', 'json', 'csv'] as const;
const ENCODINGS = ['auto', 'utf-8', 'gb18030'] as const;
const MAPPING_PARTS = ['prompt', 'response', 'system', 'chosen', 'rejected'] as const;

export function ImportPanel(): React.JSX.Element {
  const choice = useDatasetsStore((s) => s.choice);
  const preview = useDatasetsStore((s) => s.preview);
  const previewing = useDatasetsStore((s) => s.previewing);
  const error = useDatasetsStore((s) => s.importError);
  const importId = useDatasetsStore((s) => s.importId);
  const { setChoice, runPreview, runImport, closeImport } = useDatasetsStore.getState();

  // An override changes how the file is read: read it again at once.
  const override = (patch: Partial<ImportChoice>): void => {
    setChoice(patch);
    if (useDatasetsStore.getState().preview) void runPreview();
  };

  return (
    <div className="card ds-import" data-testid="dataset-import">
      <div className="section-head">
        <span className="card-title">Import a dataset</span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-small" onClick={closeImport} disabled={importId !== null}>
          Close
        </button>
      </div>
      <PathPreviewForm
        path={choice.path}
        onPath={(path) => setChoice({ path })}
        onPreview={() => void runPreview()}
        previewing={previewing}
        busy={importId !== null}
        placeholder="/path/to/data.jsonl, .json or .csv"
        ariaLabel="Dataset file path"
        upload={{ purpose: 'dataset', accept: '.jsonl,.json,.csv,.tsv,.txt', what: 'a JSONL, JSON or CSV file', testId: 'dataset-upload' }}
      />
      <ErrorNote error={error} title="Import problem" />
      {preview ? (
        <div className="ds-preview" data-testid="dataset-preview">
          <div className="ds-overrides">
            <Pick label="Container" value={choice.container} options={CONTAINERS} detected={preview.container} onChange={(v) => override({ container: v })} />
            <Pick label="Format" value={choice.format} options={FORMATS} detected={preview.format} onChange={(v) => override({ format: v })} />
            <Pick label="Encoding" value={choice.encoding} options={ENCODINGS} detected={preview.encoding} onChange={(v) => override({ encoding: v })} />
            <span className="muted num ds-facts">
              {formatBytes(preview.sizeBytes)} · {preview.lineCountExact ? '' : '≈ '}
              {formatCount(preview.lineCount)} lines{preview.bom ? ' · BOM' : ''}
            </span>
          </div>
          {preview.format === 'columns' ? (
            <MappingEditor
              fields={preview.fields}
              mapping={choice.mapping ?? preview.mapping ?? { prompt: preview.fields[0] ?? 'prompt', response: null, system: null, chosen: null, rejected: null }}
              onChange={(mapping) => override({ mapping })}
            />
          ) : null}
          <div className="ds-samples" aria-label="Sample records">
            {preview.records.slice(0, 6).map((r) => (
              <Conversation key={r.line} line={r.line} record={r.record} />
            ))}
            {preview.records.length === 0 ? <p className="hint">No readable records in the lines read.</p> : null}
          </div>
          {preview.bad.length ? <BadLines bad={preview.bad} total={preview.bad.length} testId="dataset-preview-bad" /> : <p className="hint">No bad lines in the part read.</p>}
          <div className="inline-form">
            <input className="input grow" aria-label="Dataset name" placeholder="Name" value={choice.name} onChange={(e) => setChoice({ name: e.target.value })} />
            <button type="button" className="btn btn-primary" disabled={importId !== null || preview.records.length === 0} onClick={() => void runImport()}>
              {importId ? 'Importing…' : 'Import'}
            </button>
          </div>
          {importId ? <ImportProgressView /> : null}
        </div>
      ) : (
        <ImageImportForm />
      )}
    </div>
  );
}

function Pick<T extends string>(props: { label: string; value: T; options: readonly T[]; detected: string; onChange: (v: T) => void }): React.JSX.Element {
  return (
    <label className="ds-pick">
      <span className="muted">{props.label}</span>
      <select className="input" aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o === 'auto' ? `auto (${props.detected})` : o}
          </option>
        ))}
      </select>
    </label>
  );
}

function MappingEditor({ fields, mapping, onChange }: { fields: readonly string[]; mapping: FieldMapping; onChange: (m: FieldMapping) => void }): React.JSX.Element {
  return (
    <fieldset className="ds-mapping">
      <legend className="muted">Field mapping</legend>
      {MAPPING_PARTS.map((part) => (
        <label key={part} className="ds-pick">
          <span className="muted">{part} ←</span>
          <select
            className="input"
            aria-label={`Field for ${part}`}
            value={mapping[part] ?? ''}
            onChange={(e) => onChange({ ...mapping, [part]: part === 'prompt' ? e.target.value : e.target.value || null })}
          >
            {part === 'prompt' ? null : <option value="">(none)</option>}
            {fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
      ))}
    </fieldset>
  );
}

const cut = (text: string, max = 400): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A record as a short conversation. Text only: React escapes it, so markup in the data stays visible as text. */
export function Conversation({ line, record }: { line: number | null; record: DatasetRecord }): React.JSX.Element {
  return (
    <div className="ds-convo" data-testid="dataset-sample">
      {line != null ? <div className="ds-convo-line muted num">line {line}</div> : null}
      {record.messages.map((m, i) => (
        <div key={i} className={`ds-msg ds-msg-${m.role}`}>
          <span className="ds-role">{m.role}</span>
          <span className="ds-msg-text">{cut(m.content)}</span>
        </div>
      ))}
      {record.response != null ? (
        <div className="ds-msg ds-msg-assistant">
          <span className="ds-role">assistant</span>
          <span className="ds-msg-text">{cut(record.response)}</span>
        </div>
      ) : null}
      {record.chosen != null ? (
        <div className="ds-msg ds-msg-chosen">
          <span className="ds-role">chosen</span>
          <span className="ds-msg-text">{cut(record.chosen)}</span>
        </div>
      ) : null}
      {record.rejected != null ? (
        <div className="ds-msg ds-msg-rejected">
          <span className="ds-role">rejected</span>
          <span className="ds-msg-text">{cut(record.rejected)}</span>
        </div>
      ) : null}
    </div>
  );
}

export function BadLines({ bad, total, testId }: { bad: readonly BadLine[]; total: number; testId: string }): React.JSX.Element {
  return (
    <div className="ds-bad" data-testid={testId}>
      <div className="text-warn">
        {formatCount(total)} bad line{total === 1 ? '' : 's'}
        {total > bad.length ? ` (first ${formatCount(bad.length)} listed)` : ''}
      </div>
      <ul>
        {bad.map((b) => (
          <li key={`${b.line}-${b.reason}`}>
            <span className="num mono">line {b.line}</span> <span className="ds-bad-reason">{b.reason}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ImportProgressView(): React.JSX.Element {
  const p = useDatasetsStore((s) => s.progress);
  const { cancelImport } = useDatasetsStore.getState();
  const fraction = p && p.totalBytes > 0 ? p.bytes / p.totalBytes : null;
  return (
    <div className="ds-progress" data-testid="dataset-import-progress">
      <ProgressBar value={fraction} label={p ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}` : 'Starting…'} />
      <div className="ds-progress-facts num">
        <span>{formatCount(p?.rows ?? 0)} rows</span>
        <span>{formatRate(p?.rowsPerSec ?? null)} rows/s</span>
        <span className={p?.bad ? 'text-warn' : 'muted'}>{formatCount(p?.bad ?? 0)} bad</span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={() => void cancelImport()}>
          Cancel import
        </button>
      </div>
    </div>
  );
}

/** The open dataset's import report, until dismissed for good. */
export function ImportReportNote(): React.JSX.Element | null {
  const fresh = useDatasetsStore((s) => s.report);
  const info = useDatasetsStore((s) => s.info);
  const dismissed = useDatasetsStore((s) => s.dismissedImports);
  const { dismissReport } = useDatasetsStore.getState();
  const report = shownReport(fresh, info, dismissed);
  if (!report) return null;
  return (
    <div className="card ds-report" data-testid="dataset-import-report">
      <div className="section-head">
        <span>
          Imported <strong className="num">{formatCount(report.imported)}</strong> rows into “{report.name}”
          {report.images ? imageImportSummary(report.images) : report.badTotal ? `; ${formatCount(report.badTotal)} bad lines skipped.` : '; no bad lines.'}
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-small btn-ghost" aria-label="Dismiss import report" title="Close this report; it does not come back" onClick={() => dismissReport(report)}>
          Dismiss
        </button>
      </div>
      {report.bad.length ? <BadLines bad={report.bad} total={report.badTotal} testId="dataset-report-bad" /> : null}
      {report.images ? <ImportImagesReport images={report.images} /> : null}
    </div>
  );
}

import { useState } from 'react';
import { api } from '../../client/bridge';
import { ErrorNote } from '../../ui/ErrorNote';
import { toShownError, type ShownError } from '../../client/errors';
import { useDatasetsStore } from './datasets.store';
import { rowsFromSchema, schemaFromRows, type SchemaRow } from './schemaForm';

export function LabelSchemaEditor(): React.JSX.Element | null {
  const info = useDatasetsStore((s) => s.info);
  const [rows, setRows] = useState<SchemaRow[]>(() => (info ? rowsFromSchema(info.labelSchema) : []));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [saved, setSaved] = useState(false);
  if (!info) return null;

  const put = (i: number, patch: Partial<SchemaRow>): void => {
    setSaved(false);
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  };
  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const next = await api.invoke('datasets.setLabelSchema', { datasetId: info.id, schema: schemaFromRows(rows) });
      useDatasetsStore.getState().acceptInfo(next);
      setRows(rowsFromSchema(next.labelSchema));
      setSaved(true);
    } catch (e) {
      setError(toShownError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card ds-schema"
      aria-label="Label schema"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="section-head">
        <span className="card-title">Label schema</span>
        <span className="muted">fields labelers fill in, each one choice or several</span>
      </div>
      {rows.map((r, i) => (
        <div key={i} className="inline-form ds-schema-row">
          <input className="input mono ds-schema-name" aria-label={`Label field ${i + 1} name`} placeholder="field name" value={r.name} onChange={(e) => put(i, { name: e.target.value })} />
          <select className="input" aria-label={`Label field ${i + 1} kind`} value={r.kind} onChange={(e) => put(i, { kind: e.target.value as SchemaRow['kind'] })}>
            <option value="single">one choice</option>
            <option value="multi">several</option>
          </select>
          <input className="input grow" aria-label={`Label field ${i + 1} options`} placeholder="options, comma-separated" value={r.options} onChange={(e) => put(i, { options: e.target.value })} />
          <button type="button" className="btn-icon" aria-label={`Remove label field ${i + 1}`} onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      {rows.length === 0 ? <p className="hint">No label fields yet.</p> : null}
      <ErrorNote error={error} title="Could not save the label schema" />
      <div className="inline-form">
        <button type="button" className="btn btn-small" disabled={rows.length >= 10} onClick={() => setRows((rs) => [...rs, { name: '', kind: 'single', options: '' }])}>
          + Field
        </button>
        <span className="spacer" />
        {saved ? <span className="muted">Saved.</span> : null}
        <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
          Save schema
        </button>
      </div>
    </form>
  );
}

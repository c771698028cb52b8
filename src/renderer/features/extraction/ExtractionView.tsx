// Extraction: template editor (fields, normalization rules, instructions), PDFs as pages, and the
// per-field accuracy of an evaluation with its confusions (expected vs got, the row's image beside).
import { useEffect, useState } from 'react';
import type { FieldSpecInput } from '../../../shared/fieldScore';
import { ErrorNote } from '../../ui/ErrorNote';
import { useExtraction } from './extraction.store';
import { percent, ruleChoice, withRule } from './fieldsTable';
import { TryPanel } from './TryPanel';
import './extraction.css';

const TYPES = ['text', 'id', 'amount', 'date', 'list'] as const;

function FieldsEditor(): React.JSX.Element {
  const { draft, edit } = useExtraction();
  const setField = (i: number, f: FieldSpecInput) => edit({ ...draft, fields: draft.fields.map((x, j) => (j === i ? f : x)) });
  return (
    <table className="extraction-fields" aria-label="Template fields">
      <thead>
        <tr>
          <th>Field</th>
          <th>Type</th>
          <th>Normalization</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {draft.fields.map((f, i) => (
          <tr key={i}>
            <td>
              <input aria-label={`field ${i + 1} name`} value={f.name} onChange={(e) => setField(i, { ...f, name: e.target.value })} />
            </td>
            <td>
              <select aria-label={`field ${i + 1} type`} value={f.type} onChange={(e) => setField(i, withRule({ ...f, type: e.target.value as FieldSpecInput['type'] } as FieldSpecInput, null))}>
                {TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </td>
            <td>
              {ruleChoice(f).options.length ? (
                <select aria-label={`field ${i + 1} rule`} value={ruleChoice(f).value} onChange={(e) => setField(i, withRule(f, e.target.value))}>
                  {ruleChoice(f).options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <span className="muted">items: {f.type === 'list' ? f.items.map((x) => x.name).join(', ') : ''}</span>
              )}
            </td>
            <td>
              <button type="button" onClick={() => edit({ ...draft, fields: draft.fields.filter((_, j) => j !== i) })}>
                Remove
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TemplatePanel(): React.JSX.Element {
  const { templates, draft, saved, edit, open, save, busy } = useExtraction();
  return (
    <section className="extraction-panel" aria-label="Template">
      <h2>Template</h2>
      <div className="extraction-row">
        <select aria-label="Open template" value={draft.id ?? ''} onChange={(e) => { const t = templates.find((x) => x.id === e.target.value); if (t) open(t); }}>
          <option value="">New template</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} (v{t.version})
            </option>
          ))}
        </select>
        <input aria-label="Template name" value={draft.name} onChange={(e) => edit({ ...draft, name: e.target.value })} />
      </div>
      <FieldsEditor />
      <button type="button" onClick={() => edit({ ...draft, fields: [...draft.fields, { name: `field_${draft.fields.length + 1}`, type: 'text' }] })}>
        Add field
      </button>
      <label className="extraction-instructions">
        Instructions
        <textarea rows={3} value={draft.instructions} onChange={(e) => edit({ ...draft, instructions: e.target.value })} />
      </label>
      <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
        Save template
      </button>
      {saved ? (
        <details>
          <summary>
            Saved as version {saved.version}: the JSON schema runs are constrained to
          </summary>
          <pre className="extraction-schema">{JSON.stringify(JSON.parse(saved.jsonSchema), null, 2)}</pre>
        </details>
      ) : null}
    </section>
  );
}

function PdfPanel(): React.JSX.Element {
  const { pdf, rendered, thumbs, openPdf, renderPdf, busy } = useExtraction();
  const [path, setPath] = useState('');
  const [pages, setPages] = useState('1');
  return (
    <section className="extraction-panel" aria-label="PDF">
      <h2>PDF pages</h2>
      <div className="extraction-row">
        <input aria-label="PDF path" placeholder="/path/to/invoice.pdf" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="button" disabled={busy || !path} onClick={() => void openPdf(path)}>
          Read text layer
        </button>
        <input aria-label="Pages" className="extraction-pages" value={pages} onChange={(e) => setPages(e.target.value)} />
        <button type="button" disabled={busy || !path} onClick={() => void renderPdf(path, pages)}>
          Render pages as images
        </button>
      </div>
      {pdf ? (
        <ol className="extraction-pdf-pages" aria-label="Text layer">
          {pdf.pages.map((p) => (
            <li key={p.page}>
              <strong>
                {pdf.name} p{p.page}
              </strong>{' '}
              <span>{p.text || '(no text layer: a scanned page)'}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {rendered ? (
        <div className="extraction-thumbs">
          {rendered.pages.map((p) => (
            <figure key={p.page}>
              {thumbs[p.image.hash] ? <img src={thumbs[p.image.hash]} alt={`page ${p.page}`} /> : null}
              <figcaption>
                p{p.page} · {p.image.width}×{p.image.height}
              </figcaption>
            </figure>
          ))}
        </div>
      ) : null}
    </section>
  );
}

function ResultsPanel(): React.JSX.Element {
  const { evals, results, verdict, thumbs, loadResults } = useExtraction();
  const [evalId, setEvalId] = useState('');
  return (
    <section className="extraction-panel" aria-label="Per-field results">
      <h2>Per-field results</h2>
      <div className="extraction-row">
        <select aria-label="Evaluation" value={evalId} onChange={(e) => { setEvalId(e.target.value); if (e.target.value) void loadResults(e.target.value); }}>
          <option value="">Choose an evaluation with a fields check</option>
          {evals.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
      </div>
      {results?.columns.map((c) => (
        <div key={`${c.versionId}|${c.targetKey}`} className="extraction-column">
          <h3>
            {c.label}: document accuracy {percent(c.documentAccuracy)} ({c.documentPassed}/{c.n}), {c.invalid} invalid output{c.invalid === 1 ? '' : 's'}
          </h3>
          <table className="extraction-accuracy" aria-label={`Field accuracy ${c.label}`}>
            <thead>
              <tr>
                <th>Field</th>
                <th>Accuracy</th>
                <th>Right</th>
                <th>Rule</th>
              </tr>
            </thead>
            <tbody>
              {c.fields.map((f) => (
                <tr key={f.field}>
                  <td>{f.field}</td>
                  <td>{percent(f.accuracy)}</td>
                  <td>
                    {f.passed}/{f.n}
                  </td>
                  <td className="muted">{f.rule}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {c.fields
            .filter((f) => f.confusions.length)
            .map((f) => (
              <details key={f.field} className="extraction-confusions" open>
                <summary>
                  {f.field}: {f.confusions.length} wrong
                </summary>
                <ul>
                  {f.confusions.map((x) => (
                    <li key={x.position}>
                      {x.imageHash && thumbs[x.imageHash] ? <img src={thumbs[x.imageHash]} alt={`row ${x.position + 1}`} /> : null}
                      <span>row {x.position + 1}</span> expected <code>{x.expected || '—'}</code> got <code className="wrong">{x.got || '—'}</code> <span className="muted">{x.reason}</span>
                    </li>
                  ))}
                </ul>
              </details>
            ))}
        </div>
      ))}
      {verdict ? (
        <p className="extraction-verdict" data-testid="extraction-verdict">
          A/B on document-level correctness: <strong>{verdict.verdict}</strong> — {verdict.explanation}
        </p>
      ) : (
        <p className="muted">With two prompt versions, the A/B verdict on document-level correctness (McNemar and bootstrap) shows here.</p>
      )}
    </section>
  );
}

export function ExtractionView(): React.JSX.Element {
  const { load, error } = useExtraction();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="view extraction-view">
      {error ? <ErrorNote error={error} /> : null}
      <TemplatePanel />
      <ResultsPanel />
      <PdfPanel />
      <TryPanel />
    </div>
  );
}

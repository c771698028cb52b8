// "Try on an image or PDF page": a template run once on one image, its JSON beside the image, each field
// checked against a reference the user types (the same scoring as the evaluation's `fields` check).
import { useEffect } from 'react';
import { ErrorNote } from '../../ui/ErrorNote';
import { ImageNotes } from '../../ui/images/ImageNotes';
import { useExtraction } from './extraction.store';
import { useTryRun } from './tryRun.store';

export function TryPanel(): React.JSX.Element {
  const { templates, rendered } = useExtraction();
  const t = useTryRun();
  const loadTargets = useTryRun((s) => s.loadTargets);
  const template = templates.find((x) => x.id === t.templateId) ?? templates[0];
  useEffect(() => {
    void loadTargets();
  }, [loadTargets]);
  const canRun = !!template && !!t.image && t.targetKey !== '' && !t.running;
  return (
    <section className="extraction-panel" aria-label="Try on an image">
      <h2>Try on an image or PDF page</h2>
      <div className="extraction-row">
        <select aria-label="Try template" value={template?.id ?? ''} onChange={(e) => t.setTemplateId(e.target.value)}>
          {templates.length === 0 ? <option value="">save a template first</option> : null}
          {templates.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} (v{x.version})
            </option>
          ))}
        </select>
        <select aria-label="Try target" value={t.targetKey} onChange={(e) => void t.chooseTarget(e.target.value)}>
          <option value="">{t.targets.length ? 'choose a target' : 'no target takes images (load a vision model or add one)'}</option>
          {t.targets.map((x) => (
            <option key={x.key} value={x.key}>
              {x.label}
            </option>
          ))}
        </select>
        {t.targets.find((x) => x.key === t.targetKey)?.targetId ? <input aria-label="Try model" placeholder="model" value={t.model} onChange={(e) => t.setModel(e.target.value)} /> : null}
      </div>
      <div className="extraction-row">
        <label>
          Image <input type="file" accept="image/*" aria-label="Try image file" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void t.attach(f); }} />
        </label>
        {rendered?.pages.map((p) => (
          <button key={p.page} type="button" onClick={() => void t.useStored(p.image.hash, `${rendered.name} p${p.page}`)}>
            Use page {p.page}
          </button>
        ))}
      </div>
      <label className="extraction-instructions">
        Reference (JSON, optional)
        <textarea aria-label="Try reference" rows={3} value={t.reference} onChange={(e) => t.setReference(e.target.value)} placeholder='{"total": "1,280.00"}' />
      </label>
      <button type="button" disabled={!canRun} onClick={() => template && void t.start(template)}>
        {t.running ? 'Running…' : 'Run extraction'}
      </button>
      <ErrorNote error={t.error} />
      {t.referenceError ? <p role="alert">{t.referenceError}</p> : null}
      <div className="extraction-try">
        {t.image ? (
          <div>
            <img src={t.image.dataUrl} alt={`try ${t.image.name}`} />
            <ImageNotes notes={t.image.notes} testId="try-image-notes" />
          </div>
        ) : null}
        {t.run ? (
          <div>
            {t.run.error ? <p role="alert">The run failed: {t.run.error}</p> : null}
            <pre aria-label="Extracted JSON">{t.run.output}</pre>
            {t.score && !t.score.valid ? <p className="extraction-invalid" data-testid="try-invalid">Invalid: {t.score.invalidReason}</p> : null}
            {t.score ? (
              <table className="extraction-accuracy" aria-label="Try fields">
                <thead>
                  <tr>
                    <th>Field</th>
                    <th>Got</th>
                    <th>Expected</th>
                    <th>Match</th>
                  </tr>
                </thead>
                <tbody>
                  {t.score.fields.map((f) => (
                    <tr key={f.field}>
                      <td>{f.field}</td>
                      <td>{f.got}</td>
                      <td>{f.expected}</td>
                      <td title={f.reason}>{!f.scored ? 'no reference' : f.pass ? 'match' : `no: ${f.reason}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {t.score ? <p data-testid="try-document">{t.score.documentPass ? 'document correct' : 'document not correct'}</p> : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}

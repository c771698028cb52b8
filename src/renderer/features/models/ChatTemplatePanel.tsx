import { useState } from 'react';
import type { ModelInfo } from '../../../shared/models.schema';
import type { ModelTemplate } from '../../../shared/models.schema';
import { api } from '../../client/bridge';
import { ErrorNote } from '../../ui/ErrorNote';
import { toShownError, type ShownError } from '../../client/errors';

/** The selected model's chat template and what it makes of a sample conversation, read from the file on
 *  first opening (no load needed), so the format is seen, not taken on trust from "Template: yes". */
export function ChatTemplatePanel({ model }: { model: ModelInfo }): React.JSX.Element {
  const [data, setData] = useState<ModelTemplate | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);

  const fetchOnce = (): void => {
    if (data || busy) return;
    setBusy(true);
    setError(null);
    api
      .invoke('models.template', { modelId: model.id })
      .then(setData, (e: unknown) => setError(toShownError(e)))
      .finally(() => setBusy(false));
  };

  return (
    <details className="card template-panel" data-testid="template-panel" onToggle={(e) => (e.currentTarget.open ? fetchOnce() : undefined)}>
      <summary className="card-title">
        Chat template <span className="muted">{model.metadata.hasChatTemplate ? '' : '(none in the file: a generic format is used)'}</span>
      </summary>
      {busy ? <p className="hint">Reading the file…</p> : null}
      <ErrorNote error={error} title="Could not read the template" />
      {data ? (
        <>
          <div className="hint">
            Format applied: <span className="mono" data-testid="template-format">{data.format}</span>
          </div>
          {data.template !== null ? (
            <>
              <div className="block-label">Template (tokenizer.chat_template)</div>
              <pre className="template-text mono" data-testid="template-text">{data.template}</pre>
            </>
          ) : null}
          <div className="block-label">A sample conversation, as the model sees it</div>
          <ul className="template-sample">
            {data.sample.map((t, i) => (
              <li key={i}>
                <span className="tag">{t.role}</span> {t.content}
              </li>
            ))}
          </ul>
          <pre className="template-text mono" data-testid="template-rendered">{data.rendered}</pre>
        </>
      ) : null}
    </details>
  );
}

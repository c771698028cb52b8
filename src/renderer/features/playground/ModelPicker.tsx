import { formatParams, formatPercent } from '../../ui/format';
import { useEngineStore } from '../engine/engine.store';
import { useModelsStore } from '../models/models.store';
import { usePlaygroundStore } from './playground.store';
import { ensureModelLoaded } from './useRunAction';

/** Which model runs the prompt, whether it is loaded, and a way to load it now. */
export function ModelPicker(): React.JSX.Element {
  const models = useModelsStore((s) => s.models);
  const modelId = usePlaygroundStore((s) => s.modelId);
  const reopened = usePlaygroundStore((s) => s.reopened);
  const setModel = usePlaygroundStore((s) => s.setModel);
  const status = useEngineStore((s) => s.status);
  const loadingModelId = useEngineStore((s) => s.loadingModelId);
  const setProblem = usePlaygroundStore((s) => s.setProblem);

  const loadedId = status?.state === 'ready' ? status.modelId : null;
  const known = models.some((m) => m.id === modelId);
  const loadingThis = loadingModelId === modelId || (status?.state === 'loading' && status.modelId === modelId);

  let state: React.JSX.Element;
  if (!modelId) state = <span className="muted">No model chosen</span>;
  else if (!known) state = <span className="text-warn">Not in the library any more</span>;
  else if (loadedId === modelId) state = <span className="tag tag-ready">loaded</span>;
  else if (loadingThis)
    state = (
      <span className="tag tag-loading">
        loading {status?.state === 'loading' ? formatPercent(status.loadProgress) : ''}
      </span>
    );
  else
    state = (
      <>
        <span className="muted">Not loaded; Run loads it with default settings.</span>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            setProblem(null);
            void ensureModelLoaded(modelId).then((p) => {
              if (p) setProblem(p);
            });
          }}
        >
          Load now
        </button>
      </>
    );

  return (
    <div className="model-picker">
      <label htmlFor="pg-model" className="toolbar-label">
        Model
      </label>
      <select
        id="pg-model"
        className="input model-select"
        data-testid="playground-model-select"
        value={modelId ?? ''}
        onChange={(e) => {
          setModel(e.target.value || null);
        }}
      >
        {models.length === 0 ? <option value="">No models; add one in Models</option> : null}
        {!modelId && models.length ? <option value="">Choose a model…</option> : null}
        {modelId && !known ? (
          <option value={modelId} disabled>
            {reopened?.modelName ?? modelId} (not in library)
          </option>
        ) : null}
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.fileName}
            {m.metadata.parameterCount ? ` · ${formatParams(m.metadata.parameterCount)}` : ''}
            {m.id === loadedId ? ' · loaded' : ''}
          </option>
        ))}
      </select>
      <div className="model-state">{state}</div>
    </div>
  );
}

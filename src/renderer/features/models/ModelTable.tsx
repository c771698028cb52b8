import type { ModelInfo } from '../../../shared/models.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatBytes, formatCount, formatParams, shortHash } from '../../ui/format';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { activateOnKey } from '../../ui/activateOnKey';

/** The library: one row per GGUF, click to select it for loading. */
export function ModelTable(): React.JSX.Element {
  const models = useModelsStore((s) => s.models);
  const selectedId = useModelsStore((s) => s.selectedId);
  const removeError = useModelsStore((s) => s.removeError);
  const select = useModelsStore((s) => s.select);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));

  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>File</th>
            <th>Architecture</th>
            <th className="right">Params</th>
            <th>Type</th>
            <th className="right">Context</th>
            <th title="Has a chat template">Template</th>
            <th className="right">Size</th>
            <th>SHA-256</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <ModelRow key={m.id} model={m} selected={m.id === selectedId} loaded={m.id === loadedId} onSelect={() => select(m.id)} />
          ))}
        </tbody>
      </table>
      {removeError ? (
        <ErrorNote
          error={removeError.error}
          title={`Could not remove ${models.find((m) => m.id === removeError.modelId)?.fileName ?? 'the model'}`}
        />
      ) : null}
    </div>
  );
}

interface RowProps {
  model: ModelInfo;
  selected: boolean;
  loaded: boolean;
  onSelect: () => void;
}

function ModelRow({ model, selected, loaded, onSelect }: RowProps): React.JSX.Element {
  const remove = useModelsStore((s) => s.remove);
  const removing = useModelsStore((s) => s.removing === model.id);
  const md = model.metadata;
  return (
    <tr
      data-testid="model-row"
      className={selected ? 'selected clickable' : 'clickable'}
      aria-selected={selected}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={activateOnKey(onSelect)}
    >
      <td className="cell-file" title={model.path}>
        <span className="mono">{model.fileName}</span>
        {loaded ? <span className="tag tag-ready">loaded</span> : null}
      </td>
      <td className="cell-arch" title={md.architecture ?? undefined}>{md.architecture ?? '—'}</td>
      <td className="right num">{formatParams(md.parameterCount)}</td>
      <td className="mono">{md.fileType ?? '—'}</td>
      <td className="right num">{formatCount(md.contextLength)}</td>
      <td>{md.hasChatTemplate ? 'yes' : <span className="muted">no</span>}</td>
      <td className="right num">{formatBytes(model.sizeBytes)}</td>
      <td className="mono">
        {model.hashStatus === 'pending' ? (
          <span className="muted hashing">hashing…</span>
        ) : model.hashStatus === 'error' ? (
          <span className="text-danger" title="The file could not be hashed">error</span>
        ) : (
          <span title={model.sha256 ?? undefined}>{shortHash(model.sha256)}</span>
        )}
      </td>
      <td className="right">
        <button
          type="button"
          className="icon-btn"
          disabled={removing}
          title={`Remove ${model.fileName} from the library`}
          aria-label="Remove"
          onClick={(e) => {
            e.stopPropagation();
            void remove(model.id);
          }}
        >
          <svg viewBox="0 0 16 16" aria-hidden>
            <path d="M3 4.5h10 M6.5 4.5V3h3v1.5 M4.5 4.5l.7 8.5h5.6l.7-8.5 M7 7v4 M9 7v4" />
          </svg>
        </button>
      </td>
    </tr>
  );
}

import { ErrorNote } from '../../ui/ErrorNote';
import { formatBytes } from '../../ui/format';
import type { ModelInfo } from '../../../shared/models.schema';
import { AddModelPanel } from './AddModelPanel';
import { ChatTemplatePanel } from './ChatTemplatePanel';
import { DownloadPanel } from './DownloadPanel';
import { LoadPanel } from './LoadPanel';
import { ModelTable } from './ModelTable';
import { VisionPanel } from './VisionPanel';
import { useModelsStore } from '../../client/models.store';
import './models.css';

interface Props {
  /** The adapter library under the models; the shell supplies it so this feature does not import adapters/. */
  renderAdapters: (models: ModelInfo[]) => React.ReactNode;
}

export function ModelsView({ renderAdapters }: Props): React.JSX.Element {
  const models = useModelsStore((s) => s.models);
  const listed = useModelsStore((s) => s.listed);
  const listError = useModelsStore((s) => s.listError);
  const refresh = useModelsStore((s) => s.refresh);
  const selected = useModelsStore((s) => s.models.find((m) => m.id === s.selectedId) ?? null);
  const empty = listed && !listError && models.length === 0;
  const totalBytes = models.reduce((sum, m) => sum + m.sizeBytes, 0);

  return (
    <div className="view view-models">
      {empty ? (
        <div className="empty-hero">
          <h2>No models yet</h2>
          <p>
            Lamplight runs GGUF models on this machine. Add a file you already have, scan a folder for them, or download one
            from Hugging Face. Nothing leaves this computer except the download itself.
          </p>
        </div>
      ) : null}
      <div className="add-grid">
        <AddModelPanel />
        <DownloadPanel />
      </div>

      <ErrorNote error={listError} title="Could not list models" onDismiss={() => void refresh()} />

      {models.length ? (
        <div className="library">
          <section className="library-main">
            <div className="section-head">
              <h3>Library</h3>
              <span className="muted">
                {models.length} model{models.length === 1 ? '' : 's'} · {formatBytes(totalBytes)}
              </span>
            </div>
            <ModelTable />
          </section>
          <aside className="library-side">
            {selected ? <LoadPanel key={selected.id} model={selected} /> : <p className="hint">Select a model to load it.</p>}
            {selected ? <VisionPanel key={`v-${selected.id}`} model={selected} /> : null}
            {selected ? <ChatTemplatePanel key={`t-${selected.id}`} model={selected} /> : null}
          </aside>
        </div>
      ) : null}

      {renderAdapters(models)}
    </div>
  );
}

import { useEffect } from 'react';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatTime } from '../../ui/format';
import { useModelsStore } from '../../client/models.store';
import { PackagePanel } from './PackagePanel';
import { useTrainingStore } from './training.store';
import { StateTag, TrainingRun } from './TrainingRun';
import './training.css';

interface Props {
  /** Where a registered adapter shows up; the shell switches views. */
  onOpenModels?: () => void;
}

export function TrainingView({ onOpenModels }: Props): React.JSX.Element {
  const trainings = useTrainingStore((s) => s.trainings);
  const loadError = useTrainingStore((s) => s.loadError);
  const selected = useTrainingStore((s) => s.trainings.find((t) => t.id === s.selectedId) ?? null);
  const models = useModelsStore((s) => s.models);
  const st = useTrainingStore.getState();
  useEffect(() => {
    void useTrainingStore.getState().init();
  }, []);

  return (
    <div className="view view-training">
      <ErrorNote error={loadError} title="Could not list datasets or trainings" onDismiss={() => void st.init()} />
      <div className="tr-layout">
        <div className="tr-main">
          <PackagePanel models={models} />
          {selected ? <TrainingRun key={selected.id} training={selected} onOpenModels={onOpenModels} /> : null}
        </div>
        <aside className="card tr-history">
          <h3 className="card-title">Trainings</h3>
          {trainings.length === 0 ? <p className="hint">Packaged and finished trainings appear here.</p> : null}
          <ul className="tr-list" data-testid="training-list">
            {trainings.map((t) => (
              <li key={t.id}>
                <button
                  type="button"
                  className={t.id === selected?.id ? 'tr-item on' : 'tr-item'}
                  data-testid="training-item"
                  aria-current={t.id === selected?.id ? 'true' : undefined}
                  onClick={() => st.select(t.id)}
                >
                  <span className="tr-item-top">
                    <StateTag state={t.state} />
                    <span className="muted num">{formatTime(t.createdAt)}</span>
                  </span>
                  <span className="mono tr-item-dir" title={t.dir}>{t.dir}</span>
                  <span className="muted tr-item-hp">
                    {t.hyperparameters.method} r{t.hyperparameters.r} · {t.hyperparameters.epochs} ep
                    {t.loss != null ? ` · loss ${t.loss.toFixed(3)}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </div>
  );
}

import { useEffect } from 'react';
import type { AdapterUse } from '../../../shared/adapters.schema';
import type { ModelInfo } from '../../../shared/models.schema';
import { AdapterAttach } from './AdapterAttach';
import { adaptersOf, withAdapters } from './adapterTarget';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { parseTargetKey } from './targetChoices';
import type { TargetListActions, TargetListForm } from './targetList';
import { TargetOptions } from './TargetOptions';
import { useRemoteChoiceGroups } from './useRemoteChoices';

interface Props {
  /** The feature store holding the form; read at effect time so the first-target default sees fresh state. */
  store: { getState(): TargetListActions & { form: TargetListForm } };
  targetKeys: readonly string[];
  targetAdapters: readonly AdapterUse[][];
  /** Class prefix of the view's styles: `${prefix}-targets`, `${prefix}-target`. */
  prefix: string;
  /** Test ids are `${testIdPrefix}-target-pick`, `${testIdPrefix}-target-adapters-${i}`. */
  testIdPrefix: string;
  emptyLabel: string;
  addTestId?: string;
  maxTargets?: number;
}

/** One target picker per row, with LoRA adapters for local models, remove and "+ Target". */
export function TargetRows({ store, targetKeys, targetAdapters, prefix, testIdPrefix, emptyLabel, addTestId, maxTargets }: Props): React.JSX.Element {
  const models = useModelsStore((s) => s.models);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const groups = useRemoteChoiceGroups();
  const st = store.getState();

  // The loaded model is the natural first target.
  useEffect(() => {
    const f = store.getState().form;
    if (loadedId && f.targetKeys.length === 1 && f.targetKeys[0] === '') store.getState().setTarget(0, loadedId);
  }, [loadedId, store]);

  return (
    <div className={`${prefix}-targets`}>
      {targetKeys.map((k, i) => (
        <div key={i} className={`${prefix}-target`}>
          <div className="inline-form">
            <select className="input grow" data-testid={`${testIdPrefix}-target-pick`} aria-label={`Target ${i + 1}`} value={k} onChange={(e) => st.setTarget(i, e.target.value)}>
              <option value="">{emptyLabel}</option>
              <TargetOptions models={models} loadedId={loadedId} groups={groups} />
            </select>
            {targetKeys.length > 1 ? (
              <button type="button" className="btn-icon" aria-label={`Remove target ${i + 1}`} onClick={() => st.removeTarget(i)}>
                ×
              </button>
            ) : null}
          </div>
          <TargetAdapters
            targetKey={k}
            adapters={targetAdapters[i] ?? []}
            models={models}
            onChange={(adapters) => store.getState().setTargetAdapters(i, adapters)}
            testId={`${testIdPrefix}-target-adapters-${i}`}
          />
        </div>
      ))}
      <button type="button" className="btn btn-small" data-testid={addTestId} onClick={st.addTarget} disabled={maxTargets !== undefined && targetKeys.length >= maxTargets}>
        + Target
      </button>
    </div>
  );
}

/** Adapters on a target: only a local model takes them. */
function TargetAdapters({ targetKey, adapters, models, onChange, testId }: { targetKey: string; adapters: AdapterUse[]; models: readonly ModelInfo[]; onChange: (adapters: AdapterUse[]) => void; testId: string }): React.JSX.Element | null {
  const base = parseTargetKey(targetKey);
  if (!base || base.kind !== 'local') return null;
  return <AdapterAttach target={withAdapters(base, adapters)} onChange={(t) => onChange(adaptersOf(t))} baseLabel={models.find((m) => m.id === base.modelId)?.fileName ?? base.modelId} testId={testId} />;
}

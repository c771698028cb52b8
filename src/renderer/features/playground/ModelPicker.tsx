import { formatPercent } from '../../ui/format';
import { AdapterAttach } from '../../ui/targets/AdapterAttach';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import { describeTarget, parseTargetKey, targetKey } from '../../ui/targets/targetChoices';
import { TargetOptions } from '../../ui/targets/TargetOptions';
import { useTargetsStore } from '../../client/targets.store';
import { useRemoteChoiceGroups } from '../../ui/targets/useRemoteChoices';
import { localModelId, usePlaygroundStore } from './playground.store';
import { ensureModelLoaded } from '../../client/modelLoading';

/** Where the prompt runs: a local model (whether it is loaded, and a way to load it now) or a remote target · model. */
export function ModelPicker(): React.JSX.Element {
  const models = useModelsStore((s) => s.models);
  const target = usePlaygroundStore((s) => s.target);
  const reopened = usePlaygroundStore((s) => s.reopened);
  const setTarget = usePlaygroundStore((s) => s.setTarget);
  const setProblem = usePlaygroundStore((s) => s.setProblem);
  const status = useEngineStore((s) => s.status);
  const loadingModelId = useEngineStore((s) => s.loadingModelId);
  const targets = useTargetsStore((s) => s.targets);
  const groups = useRemoteChoiceGroups();

  const modelId = localModelId(target);
  const loadedId = status?.state === 'ready' ? status.modelId : null;
  const key = target ? targetKey(target) : '';
  const listed = (target?.kind === 'local' && models.some((m) => m.id === target.modelId)) || groups.some((g) => g.choices.some((c) => c.key === key));
  const loadingThis = modelId !== null && (loadingModelId === modelId || (status?.state === 'loading' && status.modelId === modelId));
  const remoteGroup = target?.kind === 'remote' ? groups.find((g) => g.target.id === target.targetId) : undefined;

  let state: React.JSX.Element;
  if (!target) state = <span className="muted">No model chosen</span>;
  else if (target.kind === 'remote') {
    if (!remoteGroup) state = <span className="text-warn">Target removed</span>;
    else if (remoteGroup.state === 'checking' || remoteGroup.state === 'unchecked') state = <span className="muted">Checking the server…</span>;
    else if (remoteGroup.state === 'unreachable') state = <span className="text-warn" title={remoteGroup.error ?? undefined}>Server unreachable at the last check</span>;
    else if (!listed) state = <span className="text-warn">The server no longer lists this model</span>;
    else state = <span className="tag tag-remote">remote</span>;
  } else if (!listed) state = <span className="text-warn">Not in the library any more</span>;
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
            void ensureModelLoaded(target.modelId).then((p) => {
              if (p) setProblem(p);
            });
          }}
        >
          Load now
        </button>
      </>
    );

  const nothing = models.length === 0 && groups.every((g) => g.choices.length === 0);
  return (
    <div className="model-picker">
      <label htmlFor="pg-model" className="toolbar-label">
        Model
      </label>
      <select
        id="pg-model"
        className="input model-select"
        data-testid="playground-model-select"
        value={key}
        onChange={(e) => setTarget(parseTargetKey(e.target.value))}
      >
        {nothing ? <option value="">No models; add one in Models or Targets</option> : null}
        {!target && !nothing ? <option value="">Choose a model…</option> : null}
        {target && !listed ? (
          <option value={key} disabled>
            {reopened?.modelName ?? describeTarget(target, models, targets)} (not listed)
          </option>
        ) : null}
        <TargetOptions models={models} loadedId={loadedId} groups={groups} />
      </select>
      <div className="model-state">{state}</div>
      <AdapterAttach
        target={target}
        onChange={setTarget}
        baseLabel={target ? describeTarget(target, models, targets) : ''}
        testId="playground-adapters"
      />
    </div>
  );
}

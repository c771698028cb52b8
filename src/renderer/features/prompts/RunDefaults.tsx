import type { RunTarget } from '../../../shared/runs.schema';
import { useEngineStore } from '../../client/engine.store';
import { useModelsStore } from '../../client/models.store';
import type { ParamsForm } from '../../ui/prompt/params';
import { toParamsForm, DEFAULT_PARAMS } from '../../ui/prompt/params';
import { SamplingFields } from '../../ui/prompt/SamplingFields';
import { describeTarget, parseTargetKey, targetKey } from '../../ui/targets/targetChoices';
import { TargetOptions } from '../../ui/targets/TargetOptions';
import { useTargetsStore } from '../../client/targets.store';
import { useRemoteChoiceGroups } from '../../ui/targets/useRemoteChoices';
import { usePromptsStore } from './prompts.store';

/** The default target and sampling saved with each version (a temperature change is a prompt change). */
export function RunDefaults(): React.JSX.Element {
  const target = usePromptsStore((s) => s.ws?.draft.target ?? null);
  const params = usePromptsStore((s) => s.ws?.draft.params ?? null);
  const update = usePromptsStore((s) => s.updateDraft);
  const setTarget = (t: RunTarget | null): void => update((d) => ({ ...d, target: t }));
  const setParam = (key: keyof ParamsForm, value: string): void => update((d) => ({ ...d, params: { ...d.params, [key]: value } }));
  const resetParams = (): void => update((d) => ({ ...d, params: toParamsForm(DEFAULT_PARAMS) }));

  return (
    <>
      <section className="panel-section">
        <div className="block-label">
          <span>Default target</span>
          <span className="hint">Open in Playground picks it.</span>
        </div>
        <TargetPicker target={target} onChange={setTarget} />
      </section>
      {params ? <SamplingFields params={params} setParam={setParam} resetParams={resetParams} /> : null}
    </>
  );
}

/** Local models and remote target · model, as in the Playground's picker, plus "none". */
function TargetPicker({ target, onChange }: { target: RunTarget | null; onChange: (t: RunTarget | null) => void }): React.JSX.Element {
  const models = useModelsStore((s) => s.models);
  const loadedId = useEngineStore((s) => (s.status?.state === 'ready' ? s.status.modelId : null));
  const targets = useTargetsStore((s) => s.targets);
  const groups = useRemoteChoiceGroups();
  const key = target ? targetKey(target) : '';
  const listed = (target?.kind === 'local' && models.some((m) => m.id === target.modelId)) || groups.some((g) => g.choices.some((c) => c.key === key));
  return (
    <select className="input pr-target" data-testid="prompt-target" aria-label="Default target" value={key} onChange={(e) => onChange(parseTargetKey(e.target.value))}>
      <option value="">None: keep the Playground's choice</option>
      {target && !listed ? (
        <option value={key} disabled>
          {describeTarget(target, models, targets)} (not listed)
        </option>
      ) : null}
      <TargetOptions models={models} loadedId={loadedId} groups={groups} />
    </select>
  );
}

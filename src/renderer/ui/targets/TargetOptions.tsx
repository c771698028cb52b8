import type { ModelInfo } from '../../../shared/models.schema';
import { formatParams } from '../format';
import type { RemoteChoiceGroup } from './targetChoices';

interface Props {
  models: readonly ModelInfo[];
  loadedId: string | null;
  groups: readonly RemoteChoiceGroup[];
}

/** <option>s for a run-target <select>: local library models, then one group per remote target. */
export function TargetOptions({ models, loadedId, groups }: Props): React.JSX.Element {
  return (
    <>
      {models.length ? (
        <optgroup label="Local">
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.fileName}
              {m.metadata.parameterCount ? ` · ${formatParams(m.metadata.parameterCount)}` : ''}
              {m.id === loadedId ? ' · loaded' : ''}
            </option>
          ))}
        </optgroup>
      ) : null}
      {groups.map((g) => (
        <optgroup key={g.target.id} label={`${g.target.name}${g.state === 'ok' ? '' : g.state === 'unreachable' ? ' (unreachable)' : ' (checking…)'}`}>
          {g.choices.map((c) => (
            <option key={c.key} value={c.key}>
              {c.label}
              {c.lora ? ' · LoRA' : ''}
            </option>
          ))}
          {g.choices.length === 0 ? (
            <option value="" disabled>
              {g.state === 'unreachable' ? `no models: ${g.error ?? 'unreachable'}` : g.state === 'ok' ? 'no models listed' : 'asking for models…'}
            </option>
          ) : null}
        </optgroup>
      ))}
    </>
  );
}

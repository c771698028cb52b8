import { ErrorNote } from '../../../ui/ErrorNote';
import { useEngineStore } from '../../../client/engine.store';
import { useModelsStore } from '../../../client/models.store';
import { parseTargetKey, targetKey } from '../../../ui/targets/targetChoices';
import { useRemoteChoiceGroups } from '../../../ui/targets/useRemoteChoices';
import { useLabelingStore } from './labeling.store';
import { PlainText } from './PlainText';

interface Props {
  rowId: number;
  disabled: boolean;
}

/** Preference mode: two targets answer the row's prompt; 1 or 2 keeps A or B as chosen, the other as rejected. */
export function PreferencePicker({ rowId, disabled }: Props): React.JSX.Element {
  const prefTargets = useLabelingStore((s) => s.prefTargets);
  const candidates = useLabelingStore((s) => s.candidates);
  const generating = useLabelingStore((s) => s.generating);
  const error = useLabelingStore((s) => s.candidatesError);
  const chosen = useLabelingStore((s) => s.chosen);
  const status = useEngineStore((s) => s.status);
  const models = useModelsStore((s) => s.models);
  const groups = useRemoteChoiceGroups();

  const loaded = status?.state === 'ready' && status.modelId ? status.modelId : null;
  const loadedName = loaded ? (models.find((m) => m.id === loaded)?.fileName ?? 'loaded model') : null;
  const mine = candidates?.rowId === rowId ? candidates : null;
  const pick = chosen?.rowId === rowId ? chosen.which : null;

  const select = (index: 0 | 1): React.JSX.Element => {
    const t = prefTargets[index];
    return (
      <select
        className="input lb-pref-select"
        aria-label={`Target ${index === 0 ? 'A' : 'B'}`}
        data-testid={`labeling-pref-target-${index === 0 ? 'a' : 'b'}`}
        value={t ? targetKey(t) : ''}
        onChange={(e) => useLabelingStore.getState().setPrefTarget(index, parseTargetKey(e.target.value))}
      >
        <option value="">Choose {index === 0 ? 'A' : 'B'}…</option>
        {loaded ? (
          <optgroup label="Local (loaded)">
            <option value={loaded}>{loadedName}</option>
          </optgroup>
        ) : null}
        {groups.map((g) => (
          <optgroup key={g.target.id} label={g.target.name}>
            {g.choices.map((c) => (
              <option key={c.key} value={c.key}>
                {c.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    );
  };

  const column = (which: 'a' | 'b'): React.JSX.Element => (
    <div className={pick === which ? 'lb-cand on' : 'lb-cand'} data-testid={`labeling-candidate-${which}`} aria-label={`Candidate ${which.toUpperCase()}`}>
      <div className="lb-block-head">
        <h3>{which.toUpperCase()}</h3>
        {pick === which ? <span className="tag tag-ready">chosen</span> : null}
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-small"
          disabled={disabled || !mine}
          aria-label={`Choose ${which.toUpperCase()}`}
          onClick={() => useLabelingStore.getState().choose(which)}
        >
          <kbd>{which === 'a' ? '1' : '2'}</kbd> Choose
        </button>
      </div>
      {mine ? <PlainText text={which === 'a' ? mine.a : mine.b} /> : <div className={generating ? 'lb-cand-wait hashing' : 'lb-cand-wait'}>{generating ? 'Generating…' : '—'}</div>}
    </div>
  );

  return (
    <section className="lb-pref" aria-label="Preference mode" data-testid="labeling-preference">
      <div className="lb-pref-bar">
        <strong>Preference</strong>
        {select(0)}
        <span className="muted">vs</span>
        {select(1)}
        <button
          type="button"
          className="btn btn-small"
          disabled={!prefTargets[0] || !prefTargets[1] || generating}
          onClick={() => {
            useLabelingStore.setState({ candidates: null });
            void useLabelingStore.getState().generate();
          }}
        >
          {mine ? 'Regenerate' : 'Generate'}
        </button>
        <span className="spacer" />
        <span className="hint">
          <kbd>1</kbd>/<kbd>2</kbd> choose · <kbd>P</kbd>/<kbd>Esc</kbd> leave
        </span>
      </div>
      {!loaded && groups.every((g) => g.choices.length === 0) ? (
        <p className="hint">Load a local model or add a remote target to generate candidates.</p>
      ) : null}
      <ErrorNote error={error} title="Could not generate the two answers" />
      <div className="lb-cands">
        {column('a')}
        {column('b')}
      </div>
    </section>
  );
}

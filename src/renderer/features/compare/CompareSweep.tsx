import { useState } from 'react';
import type { ModelInfo } from '../../../shared/models.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { adapterShortName, DEFAULT_SWEEP_SCALES, formatScale, parseSweepScales, sweepColumns } from '../../ui/targets/adapterTarget';
import { useAdapterNames } from '../../ui/targets/AdapterAttach';
import { useCompareStore } from './compare.store';
import { MAX_COLUMNS } from './compareRequest';

interface Props {
  models: readonly ModelInfo[];
  /** The model the columns already run locally, else the loaded one. */
  defaultModelId: string | null;
  disabled: boolean;
}

/** "Scale sweep": replaces the columns with the base model and one adapter at several scales, same prompt. */
export function CompareSweep({ models, defaultModelId, disabled }: Props): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const { adapters } = useAdapterNames();
  const [modelId, setModelId] = useState('');
  const [adapterId, setAdapterId] = useState('');
  const [scalesText, setScalesText] = useState(DEFAULT_SWEEP_SCALES.map(formatScale).join(', '));
  const setColumns = useCompareStore((s) => s.setColumns);

  const model = modelId || defaultModelId || models[0]?.id || '';
  const adapter = adapterId || adapters[0]?.id || '';
  const parsed = parseSweepScales(scalesText);
  const tooMany = parsed.ok && parsed.scales.length + 1 > MAX_COLUMNS;

  return (
    <div className="cmp-sweep-wrap">
      <button
        type="button"
        className={open ? 'btn on' : 'btn'}
        data-testid="compare-sweep"
        aria-expanded={open}
        disabled={disabled}
        title="Columns for the base model and one LoRA adapter at several scales"
        onClick={() => setOpen(!open)}
      >
        Scale sweep
      </button>
      {open ? (
        <div className="cmp-sweep" data-testid="compare-sweep-panel" role="dialog" aria-label="Scale sweep">
          {adapters.length === 0 || models.length === 0 ? (
            <p className="hint">A sweep needs a local model and a LoRA adapter: add both under Models.</p>
          ) : (
            <>
              <label className="cmp-sweep-field">
                <span>Model</span>
                <select className="input" data-testid="compare-sweep-model" value={model} onChange={(e) => setModelId(e.target.value)}>
                  {models.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.fileName}
                    </option>
                  ))}
                </select>
              </label>
              <label className="cmp-sweep-field">
                <span>Adapter</span>
                <select className="input" data-testid="compare-sweep-adapter" value={adapter} onChange={(e) => setAdapterId(e.target.value)}>
                  {adapters.map((a) => (
                    <option key={a.id} value={a.id}>
                      {adapterShortName(a.fileName)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="cmp-sweep-field">
                <span>Scales</span>
                <input className="input mono" data-testid="compare-sweep-scales" value={scalesText} onChange={(e) => setScalesText(e.target.value)} placeholder="0.5, 1" />
              </label>
              <p className="hint">
                Columns: base{parsed.ok ? parsed.scales.map((s) => `, @${formatScale(s)}`).join('') : ''}. Replaces the current columns.
              </p>
              <ErrorNote error={!parsed.ok ? { code: null, message: parsed.message } : tooMany ? { code: null, message: `At most ${MAX_COLUMNS - 1} scales (${MAX_COLUMNS} columns).` } : null} />
              <div className="button-row">
                <button
                  type="button"
                  className="btn btn-primary btn-small"
                  data-testid="compare-sweep-apply"
                  disabled={!parsed.ok || tooMany || !model || !adapter}
                  onClick={() => {
                    if (!parsed.ok) return;
                    setColumns(sweepColumns(model, adapter, parsed.scales, MAX_COLUMNS));
                    setOpen(false);
                  }}
                >
                  Set columns
                </button>
                <button type="button" className="btn btn-small" onClick={() => setOpen(false)}>
                  Close
                </button>
              </div>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}

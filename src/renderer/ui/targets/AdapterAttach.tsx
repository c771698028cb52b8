import { useEffect, useMemo } from 'react';
import type { AdapterInfo } from '../../../shared/adapters.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import {
  adapterShortName, adaptersOf, attachAdapter, clampScale, MAX_STACKED_ADAPTERS, SCALE_MAX, SCALE_MIN, SCALE_STEP, setAdapterScale,
  targetWithAdaptersLabel, withAdapters,
} from './adapterTarget';
import { useAdaptersStore } from '../../client/adapters.store';
import './adapterAttach.css';

/** The adapters in the library, listed on first use, and their short names by id. */
export function useAdapterNames(): { adapters: AdapterInfo[]; names: Map<string, string> } {
  const adapters = useAdaptersStore((s) => s.adapters);
  useEffect(() => {
    useAdaptersStore.getState().ensureListed();
  }, []);
  const names = useMemo(() => new Map(adapters.map((a) => [a.id, adapterShortName(a.fileName)])), [adapters]);
  return { adapters, names };
}

interface Props {
  target: RunTarget | null;
  onChange: (target: RunTarget) => void;
  /** How the picker names the base model; the label reads "base + adapter@scale". */
  baseLabel: string;
  disabled?: boolean;
  testId: string;
}

/** LoRA adapters on a local target: up to four, each with a 0–2 scale (slider and number). Nothing for remote ones. */
export function AdapterAttach({ target, onChange, baseLabel, disabled, testId }: Props): React.JSX.Element | null {
  const { adapters, names } = useAdapterNames();
  if (!target || target.kind !== 'local') return null;
  const attached = adaptersOf(target);
  const free = adapters.filter((a) => !attached.some((u) => u.adapterId === a.id));
  const full = attached.length >= MAX_STACKED_ADAPTERS;
  if (adapters.length === 0 && attached.length === 0) return null;

  return (
    <div className="ad-attach" data-testid={testId}>
      {attached.map((u) => {
        const name = names.get(u.adapterId) ?? u.adapterId;
        return (
          <div className="ad-use" key={u.adapterId} data-testid={`${testId}-use`}>
            <span className="mono ad-use-name" title={name}>
              + {name}
            </span>
            <input
              type="range"
              className="ad-slider"
              min={SCALE_MIN}
              max={SCALE_MAX}
              step={SCALE_STEP}
              value={u.scale}
              disabled={disabled}
              aria-label={`${name} scale`}
              onChange={(e) => onChange(withAdapters(target, setAdapterScale(attached, u.adapterId, Number(e.target.value))))}
            />
            <input
              type="number"
              className="input ad-scale num"
              data-testid={`${testId}-scale`}
              min={SCALE_MIN}
              max={SCALE_MAX}
              step={SCALE_STEP}
              value={u.scale}
              disabled={disabled}
              aria-label={`${name} scale value`}
              onChange={(e) => {
                if (e.target.value === '') return;
                onChange(withAdapters(target, setAdapterScale(attached, u.adapterId, clampScale(Number(e.target.value)))));
              }}
            />
            <button
              type="button"
              className="btn-icon"
              aria-label={`Detach ${name}`}
              title="Detach this adapter"
              disabled={disabled}
              onClick={() => onChange(withAdapters(target, attached.filter((a) => a.adapterId !== u.adapterId)))}
            >
              ×
            </button>
          </div>
        );
      })}
      {!full && free.length ? (
        <select
          className="input ad-attach-pick"
          data-testid={`${testId}-add`}
          aria-label="Attach a LoRA adapter"
          value=""
          disabled={disabled}
          onChange={(e) => {
            if (e.target.value) onChange(withAdapters(target, attachAdapter(attached, e.target.value)));
          }}
        >
          <option value="">+ LoRA adapter…</option>
          {free.map((a) => (
            <option key={a.id} value={a.id}>
              {adapterShortName(a.fileName)}
              {a.metadata.rank != null ? ` · r${a.metadata.rank}` : ''}
            </option>
          ))}
        </select>
      ) : null}
      {attached.length ? (
        <div className="ad-label mono" data-testid={`${testId}-label`} title="What this target runs">
          {targetWithAdaptersLabel(baseLabel, attached, names)}
        </div>
      ) : null}
    </div>
  );
}

import { useState } from 'react';
import { api } from '../../client/bridge';
import { formatCount } from '../../ui/format';
import { useDatasetsStore } from './datasets.store';
import { FormDialog, useDialogAction } from './Dialog';
import { EMPTY_FILTER, toRowFilter } from './filters';

type Scope = 'accepted' | 'all' | 'grid';

export function SplitDialog({ onClose }: { onClose: () => void }): React.JSX.Element | null {
  const info = useDatasetsStore((s) => s.info);
  const [seed, setSeed] = useState('42');
  const [fr, setFr] = useState({ train: '0.8', validation: '0.1', test: '0.1' });
  const [stratifyBy, setStratifyBy] = useState('');
  const [scope, setScope] = useState<Scope>('accepted');
  const { busy, error, act } = useDialogAction();
  const [result, setResult] = useState<{ train: number; validation: number; test: number } | null>(null);
  if (!info) return null;
  const sum = Number(fr.train) + Number(fr.validation) + Number(fr.test);
  const badSum = !Number.isFinite(sum) || Math.abs(sum - 1) > 1e-6;

  const run = async (): Promise<void> => {
    await act(async () => {
      const s = useDatasetsStore.getState();
      const filter = scope === 'grid' ? toRowFilter(s.filter) : toRowFilter({ ...EMPTY_FILTER, status: scope === 'accepted' ? 'accepted' : '' });
      const r = await api.invoke('datasets.split', {
        datasetId: info.id,
        seed: Number.parseInt(seed, 10) || 0,
        train: Number(fr.train),
        validation: Number(fr.validation),
        test: Number(fr.test),
        stratifyBy: stratifyBy || null,
        filter,
      });
      setResult(r);
      void s.loadStats();
      s.reloadRows();
    });
  };

  return (
    <FormDialog
      title="Split into train / validation / test"
      onClose={onClose}
      testId="dataset-split-dialog"
      onSubmit={() => void run()}
      error={error}
      errorTitle="Could not split"
      result={result ? (
        <p className="note num" data-testid="dataset-split-result">
          train {formatCount(result.train)} · validation {formatCount(result.validation)} · test {formatCount(result.test)}
        </p>
      ) : null}
      submitLabel={busy ? 'Splitting…' : 'Split'}
      submitDisabled={busy || badSum}
    >
      <label className="ds-field">
        <span>Rows</span>
        <select className="input" aria-label="Rows to split" value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
          <option value="accepted">accepted rows</option>
          <option value="all">all rows</option>
          <option value="grid">rows matching the grid filter</option>
        </select>
      </label>
      {(['train', 'validation', 'test'] as const).map((k) => (
        <label key={k} className="ds-field">
          <span>{k}</span>
          <input className={badSum ? 'input ds-narrow warn' : 'input ds-narrow'} aria-label={`${k} fraction`} inputMode="decimal" value={fr[k]} onChange={(e) => setFr({ ...fr, [k]: e.target.value })} />
        </label>
      ))}
      {badSum ? <p className="hint text-warn">The fractions add up to {Number.isFinite(sum) ? sum.toFixed(2) : '?'}; they should add up to 1.</p> : null}
      <label className="ds-field">
        <span>Seed</span>
        <input className="input ds-narrow" aria-label="Seed" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} />
      </label>
      <label className="ds-field">
        <span>Stratify by</span>
        <select className="input" aria-label="Stratify by label field" value={stratifyBy} onChange={(e) => setStratifyBy(e.target.value)}>
          <option value="">no stratification</option>
          {info.labelSchema.fields.map((f) => (
            <option key={f.name} value={f.name}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
    </FormDialog>
  );
}

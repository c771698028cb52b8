import { useEffect, useState } from 'react';
import { formatMs } from '../../ui/format';
import { useDatasetsStore } from './datasets.store';
import { activeFilterCount, badTokenBound, countText, EMPTY_FILTER, type FilterForm } from './filters';

type TextKey = 'search' | 'tag' | 'minTokens' | 'maxTokens';
const DEBOUNCE_MS = 200;

export function FilterBar(): React.JSX.Element {
  const filter = useDatasetsStore((s) => s.filter);
  const total = useDatasetsStore((s) => s.total);
  const exact = useDatasetsStore((s) => s.totalExact);
  const ms = useDatasetsStore((s) => s.ms);
  const loading = useDatasetsStore((s) => s.loading.length > 0);
  const schema = useDatasetsStore((s) => s.info?.labelSchema.fields ?? []);
  const profiles = useDatasetsStore((s) => s.profiles);
  const { setFilter, loadProfiles } = useDatasetsStore.getState();
  // Typed text waits for a pause before it queries; selects apply at once.
  const [text, setText] = useState<Pick<FilterForm, TextKey>>({ search: filter.search, tag: filter.tag, minTokens: filter.minTokens, maxTokens: filter.maxTokens });

  useEffect(() => {
    void loadProfiles();
  }, [loadProfiles]);

  useEffect(() => {
    const cur = useDatasetsStore.getState().filter;
    const changed = (Object.keys(text) as TextKey[]).filter((k) => text[k] !== cur[k]);
    if (!changed.length) return;
    const t = setTimeout(() => setFilter(Object.fromEntries(changed.map((k) => [k, text[k]]))), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, setFilter]);

  const put = (k: TextKey) => (e: React.ChangeEvent<HTMLInputElement>) => setText((t) => ({ ...t, [k]: e.target.value }));
  const active = activeFilterCount(filter);

  return (
    <div className="ds-filters" role="search" aria-label="Filter rows">
      <input className="input ds-search" type="search" aria-label="Search prompts and responses" placeholder="Search prompt or response…" value={text.search} onChange={put('search')} />
      <span className="ds-count num" data-testid="dataset-match-count" aria-live="polite">
        {total == null ? 'counting…' : countText(total, exact)}
        {ms != null ? <span className="muted"> · {formatMs(ms)}</span> : null}
        {loading ? <span className="muted"> · loading</span> : null}
      </span>
      <span className="spacer" />
      <button
        type="button"
        className="btn btn-ghost btn-small"
        disabled={active === 0}
        onClick={() => {
          setText({ search: '', tag: '', minTokens: '', maxTokens: '' });
          setFilter(EMPTY_FILTER);
        }}
      >
        Clear{active ? ` (${active})` : ''}
      </button>
      <div className="ds-filter-row">
        <Select label="Status" value={filter.status} onChange={(v) => setFilter({ status: v as FilterForm['status'] })} options={['new', 'accepted', 'rejected', 'skipped']} />
        <select className="input" aria-label="Label" value={filter.label} onChange={(e) => setFilter({ label: e.target.value })}>
          <option value="">any label</option>
          {schema.map((f) => (
            <optgroup key={f.name} label={f.name}>
              {f.options.map((o) => (
                <option key={o} value={`${f.name}=${o}`}>
                  {f.name}={o}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <input className="input ds-narrow" aria-label="Tag" placeholder="tag" value={text.tag} onChange={put('tag')} />
        <select className="input" aria-label="Labeler" value={filter.labelerId} onChange={(e) => setFilter({ labelerId: e.target.value })}>
          <option value="">any labeler</option>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <input className={badTokenBound(text.minTokens) ? 'input ds-tiny invalid' : 'input ds-tiny'} aria-label="Minimum tokens" placeholder="min tok" inputMode="numeric" value={text.minTokens} onChange={put('minTokens')} />
        <input className={badTokenBound(text.maxTokens) ? 'input ds-tiny invalid' : 'input ds-tiny'} aria-label="Maximum tokens" placeholder="max tok" inputMode="numeric" value={text.maxTokens} onChange={put('maxTokens')} />
        <Select label="Duplicates" value={filter.duplicate} onChange={(v) => setFilter({ duplicate: v as FilterForm['duplicate'] })} options={['exact', 'near', 'any', 'unique']} />
        <select className="input" aria-label="Personal data" value={filter.pii} onChange={(e) => setFilter({ pii: e.target.value as FilterForm['pii'] })}>
          <option value="">PII: any</option>
          <option value="yes">PII: yes</option>
          <option value="no">PII: no</option>
        </select>
        <Select label="Split" value={filter.split} onChange={(v) => setFilter({ split: v as FilterForm['split'] })} options={['train', 'validation', 'test']} />
      </div>
    </div>
  );
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: readonly string[]; onChange: (v: string) => void }): React.JSX.Element {
  return (
    <select className="input" aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{label}: any</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {label}: {o}
        </option>
      ))}
    </select>
  );
}

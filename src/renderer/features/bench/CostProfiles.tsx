import { useState } from 'react';
import type { CostProfile } from '../../../shared/bench.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { useBenchStore } from './bench.store';

type Kind = CostProfile['kind'];

/** Starting prices when a kind is first picked: a rented-out-of-the-box guess, to be edited. */
export function defaultProfile(kind: Kind, currency = '$'): CostProfile {
  if (kind === 'api') return { kind, currency, inputPer1M: 0.5, outputPer1M: 1.5 };
  if (kind === 'server') return { kind, currency, purchasePrice: 30_000, amortizationMonths: 36, powerWatts: 700, electricityPerKwh: 0.15, hostingPerMonth: 0, utilization: 0.5 };
  return { kind, currency, purchasePrice: 2_000, amortizationMonths: 36, powerWatts: 60, electricityPerKwh: 0.15, hostingPerMonth: 0, utilization: 0.5 };
}

interface Field {
  key: string;
  label: string;
  unit: (currency: string) => string;
  min: number;
  max?: number;
  /** Zero is not allowed (amortization months, utilization). */
  positive?: boolean;
}

const API_FIELDS: Field[] = [
  { key: 'inputPer1M', label: 'Input', unit: (c) => `${c} / 1M tok`, min: 0 },
  { key: 'outputPer1M', label: 'Output', unit: (c) => `${c} / 1M tok`, min: 0 },
];
const HARDWARE_FIELDS: Field[] = [
  { key: 'purchasePrice', label: 'Purchase', unit: (c) => c, min: 0 },
  { key: 'amortizationMonths', label: 'Amortized over', unit: () => 'months', min: 0, max: 240, positive: true },
  { key: 'powerWatts', label: 'Power', unit: () => 'W', min: 0 },
  { key: 'electricityPerKwh', label: 'Electricity', unit: (c) => `${c} / kWh`, min: 0 },
  { key: 'hostingPerMonth', label: 'Hosting', unit: (c) => `${c} / month`, min: 0 },
  { key: 'utilization', label: 'Utilization', unit: () => '(0–1]', min: 0, max: 1, positive: true },
];

export function CostProfiles({ targets }: { targets: { key: string; label: string }[] }): React.JSX.Element {
  const profiles = useBenchStore((s) => s.profiles);
  const saving = useBenchStore((s) => s.saving);
  const saveError = useBenchStore((s) => s.saveError);
  return (
    <div className="bn-profiles">
      {targets.map((t) => {
        const stored = profiles[t.key];
        return (
          <div key={t.key} className="bn-profile" data-testid="cost-profile" data-target={t.label}>
            <div className="bn-profile-head">
              <span className="bn-profile-name" title={t.key}>
                {t.label}
              </span>
              <select
                className="input"
                aria-label={`How ${t.label} is paid for`}
                data-testid="cost-kind"
                value={stored?.profile.kind ?? ''}
                onChange={(e) => {
                  const kind = e.target.value as Kind | '';
                  if (!kind) void useBenchStore.getState().removeProfile(t.key);
                  else useBenchStore.getState().setProfile(t.key, t.label, defaultProfile(kind, stored?.profile.currency));
                }}
              >
                <option value="">No price</option>
                <option value="api">API (per token)</option>
                <option value="server">GPU server</option>
                <option value="edge">Edge device</option>
              </select>
              {saving.includes(t.key) ? <span className="muted bn-saving">saving…</span> : null}
            </div>
            {stored ? <ProfileFields key={`${t.key}|${stored.profile.kind}`} targetKey={t.key} label={t.label} profile={stored.profile} /> : null}
          </div>
        );
      })}
      <ErrorNote error={saveError} title="Could not save a price" />
    </div>
  );
}

/** Text drafts per field so half-typed numbers ("0.", "") stay put; each valid edit reprices at once. */
function ProfileFields({ targetKey, label, profile }: { targetKey: string; label: string; profile: CostProfile }): React.JSX.Element {
  const fields = profile.kind === 'api' ? API_FIELDS : HARDWARE_FIELDS;
  const values = profile as unknown as Record<string, number | string>;
  const [drafts, setDrafts] = useState<Record<string, string>>(() => Object.fromEntries([...fields.map((f) => [f.key, String(values[f.key] ?? '')]), ['currency', profile.currency]]));
  const [invalid, setInvalid] = useState<string[]>([]);

  const edit = (key: string, text: string): void => {
    const next = { ...drafts, [key]: text };
    setDrafts(next);
    const bad: string[] = [];
    const parsed: Record<string, number | string> = { kind: profile.kind, currency: next.currency?.trim() ?? '' };
    if (!parsed.currency || String(parsed.currency).length > 8) bad.push('currency');
    for (const f of fields) {
      const n = Number(next[f.key]);
      const ok = (next[f.key] ?? '').trim() !== '' && Number.isFinite(n) && n >= f.min && (f.max === undefined || n <= f.max) && (!f.positive || n > 0);
      if (!ok) bad.push(f.key);
      parsed[f.key] = n;
    }
    setInvalid(bad);
    if (bad.length === 0) useBenchStore.getState().setProfile(targetKey, label, parsed as unknown as CostProfile);
  };

  const currency = drafts.currency || profile.currency;
  return (
    <div className="bn-profile-fields">
      <label className="bn-num">
        <span className="muted">Currency</span>
        <input className={`input bn-tiny${invalid.includes('currency') ? ' invalid' : ''}`} data-testid="cost-currency" value={drafts.currency ?? ''} onChange={(e) => edit('currency', e.target.value)} />
      </label>
      {fields.map((f) => (
        <label key={f.key} className="bn-num">
          <span className="muted">{f.label}</span>
          <span className="inline-form">
            <input
              className={`input bn-narrow num${invalid.includes(f.key) ? ' invalid' : ''}`}
              data-testid={`cost-${f.key}`}
              inputMode="decimal"
              aria-invalid={invalid.includes(f.key)}
              value={drafts[f.key] ?? ''}
              onChange={(e) => edit(f.key, e.target.value)}
            />
            <span className="muted">{f.unit(currency)}</span>
          </span>
        </label>
      ))}
      {profile.kind !== 'api' ? <span className="hint bn-profile-note">Power is billed for the whole month; capacity is the measured rate × utilization.</span> : null}
    </div>
  );
}

import { useEffect, useState } from 'react';
import type { GuardPolicy, PiiAction, PiiRule } from '../../../shared/guard.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { useGuardStore } from './guard.store';
import { PII_ACTION_LABEL, piiRuleProblem } from './guardForm';

const ACTIONS: readonly PiiAction[] = ['mask', 'warn', 'block', 'allow'];

function ActionSelect({ value, onChange, disabled, label, testId, inherit }: {
  value: PiiAction | null;
  onChange: (a: PiiAction | null) => void;
  disabled: boolean;
  label: string;
  testId?: string;
  /** Offer "use the default" (a per-target row). */
  inherit?: string;
}): React.JSX.Element {
  return (
    <select className="input" aria-label={label} data-testid={testId} value={value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value ? (e.target.value as PiiAction) : null)}>
      {inherit ? <option value="">{inherit}</option> : null}
      {ACTIONS.map((a) => (
        <option key={a} value={a}>
          {PII_ACTION_LABEL[a]}
        </option>
      ))}
    </select>
  );
}

/** What happens to ID numbers, bank cards, phones, emails and custom patterns before a prompt leaves. */
export function PiiPolicySection({ policy, readOnly }: { policy: GuardPolicy; readOnly: boolean }): React.JSX.Element {
  const targets = useGuardStore((s) => s.targets);
  const edit = useGuardStore((s) => s.edit);
  const pii = policy.pii;
  const setPii = (change: Partial<GuardPolicy['pii']>): void => edit((p) => ({ ...p, pii: { ...p.pii, ...change } }));

  return (
    <section className="card guard-card" aria-label="PII policy" data-testid="guard-pii">
      <h3 className="card-title">PII before egress</h3>
      <p className="hint guard-lead">
        ID numbers, bank cards, phone numbers, emails and your own patterns are found in the prompt. Masked values go out as placeholders such as{' '}
        <span className="mono">[ID_1]</span> and are put back in the reply on this machine.
      </p>
      <div className="guard-fields">
        <label className="guard-field">
          <span>Remote targets (default)</span>
          <ActionSelect value={pii.remoteDefault} label="Default for remote targets" testId="guard-remote-default" disabled={readOnly} onChange={(a) => setPii({ remoteDefault: a ?? 'mask' })} />
        </label>
        <label className="guard-field">
          <span>Local models</span>
          <ActionSelect value={pii.local} label="Local models" testId="guard-local" disabled={readOnly} onChange={(a) => setPii({ local: a ?? 'allow' })} />
        </label>
      </div>

      <h4 className="guard-sub">Per target</h4>
      {targets.length ? (
        <div className="table-wrap guard-target-wrap">
          <table className="table guard-target-table" data-testid="guard-target-table">
            <thead>
              <tr>
                <th>Target</th>
                <th>Endpoints</th>
                <th>PII</th>
              </tr>
            </thead>
            <tbody>
              {targets.map((t) => (
                <tr key={t.id} data-testid="guard-target-row">
                  <td>{t.name}</td>
                  <td className="mono guard-urls" title={t.baseUrls.join('\n')}>
                    {t.baseUrls[0]}
                    {t.baseUrls.length > 1 ? ` +${t.baseUrls.length - 1}` : ''}
                  </td>
                  <td className="guard-target-policy">
                    <ActionSelect
                      value={pii.targets[t.id] ?? null}
                      label={`PII policy for ${t.name}`}
                      inherit={`Default (${PII_ACTION_LABEL[pii.remoteDefault].toLowerCase()})`}
                      disabled={readOnly}
                      onChange={(a) => {
                        const next = { ...pii.targets };
                        if (a) next[t.id] = a;
                        else delete next[t.id];
                        setPii({ targets: next });
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No remote targets yet; the default applies to every one added later.</p>
      )}

      <h4 className="guard-sub">Custom patterns</h4>
      <CustomRules rules={pii.customRules} readOnly={readOnly} onChange={(customRules) => setPii({ customRules })} />
      <TryIt />
    </section>
  );
}

function CustomRules({ rules, readOnly, onChange }: { rules: PiiRule[]; readOnly: boolean; onChange: (r: PiiRule[]) => void }): React.JSX.Element {
  const [name, setName] = useState('');
  const [pattern, setPattern] = useState('');
  const [flags, setFlags] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div data-testid="guard-custom-rules">
      {rules.length ? (
        <ul className="guard-list">
          {rules.map((r) => (
            <li key={r.name} data-testid="guard-custom-rule">
              <span className="mono guard-rule-name">[{r.name}_1]</span>
              <span className="mono guard-pattern" title={r.pattern}>
                /{r.pattern}/{r.flags}
              </span>
              <span className="spacer" />
              {readOnly ? null : (
                <button type="button" className="btn-icon" aria-label={`Remove ${r.name}`} title="Remove" onClick={() => onChange(rules.filter((o) => o !== r))}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None: only the built-in detectors run.</p>
      )}
      {readOnly ? null : (
        <form
          className="inline-form guard-rule-form"
          onSubmit={(e) => {
            e.preventDefault();
            const rule = { name: name.trim(), pattern, flags: flags.trim() };
            const p = piiRuleProblem(rule, rules);
            setProblem(p);
            if (p) return;
            onChange([...rules, rule]);
            setName('');
            setPattern('');
            setFlags('');
          }}
        >
          <input className="input mono guard-in-name" aria-label="Rule name" data-testid="guard-pii-name" placeholder="EMPLOYEE_NO" value={name} onChange={(e) => setName(e.target.value.toUpperCase())} />
          <input className="input mono grow" aria-label="Pattern" data-testid="guard-pii-pattern" placeholder="E-\d{6}" value={pattern} onChange={(e) => setPattern(e.target.value)} />
          <input className="input mono guard-in-flags" aria-label="Flags" placeholder="flags" value={flags} onChange={(e) => setFlags(e.target.value)} />
          <button type="submit" className="btn" data-testid="guard-pii-add">
            Add pattern
          </button>
        </form>
      )}
      {problem ? <div className="field-error">{problem}</div> : null}
    </div>
  );
}

/** Type a sample and see what the saved policy finds in it (new patterns count once saved). */
function TryIt(): React.JSX.Element {
  const text = useGuardStore((s) => s.tryText);
  const result = useGuardStore((s) => s.tryResult);
  const error = useGuardStore((s) => s.tryError);
  const { setTryText, runTry } = useGuardStore.getState();
  useEffect(() => {
    const t = setTimeout(() => void runTry(), 300);
    return () => clearTimeout(t);
  }, [text, runTry]);
  return (
    <div className="guard-try">
      <h4 className="guard-sub">Try it</h4>
      <textarea
        className="input mono guard-try-text"
        data-testid="guard-try-input"
        aria-label="Sample text"
        rows={2}
        placeholder="Paste a sample: my ID is 11010519491231002X, card 6222 0212 3456 7890 128"
        value={text}
        onChange={(e) => setTryText(e.target.value)}
      />
      <ErrorNote error={error} title="Could not check the sample" />
      {result && text.trim() ? (
        <div className="guard-try-result" data-testid="guard-try-result">
          {result.findings.length ? (
            <ul className="guard-findings">
              {result.findings.map((f) => (
                <li key={`${f.start}-${f.placeholder}`}>
                  <span className="mono guard-placeholder">{f.placeholder}</span> <span className="mono">{f.redacted}</span> <span className="muted">{f.kind}</span>
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted">Nothing found.</span>
          )}
          <div className="mono guard-sent" title="As it would be sent">
            {result.sentUser}
          </div>
          <div className="hint">Saved policy · {result.reason}</div>
        </div>
      ) : null}
    </div>
  );
}

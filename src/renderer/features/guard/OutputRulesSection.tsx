import { useState } from 'react';
import type { GuardPolicy, OutputRule } from '../../../shared/guard.schema';
import { useGuardStore } from './guard.store';
import { EMPTY_RULE_FORM, formToRule, RULE_KIND_LABEL, ruleSummary, ruleToForm, type RuleForm, type RuleKind } from './guardForm';

/** Checks on what comes back: flag it (shown in amber) or block it (the output is withheld). */
export function OutputRulesSection({ policy, readOnly }: { policy: GuardPolicy; readOnly: boolean }): React.JSX.Element {
  const edit = useGuardStore((s) => s.edit);
  const rules = policy.output.rules;
  // null: no form; -1: a new rule; else the index being edited.
  const [editing, setEditing] = useState<number | null>(null);
  const setRules = (next: OutputRule[]): void => edit((p) => ({ ...p, output: { rules: next } }));

  return (
    <section className="card guard-card" aria-label="Output rules" data-testid="guard-output">
      <div className="section-head">
        <h3>Output rules</h3>
        <span className="muted">{rules.length ? `${rules.length} rule${rules.length === 1 ? '' : 's'}` : ''}</span>
        <span className="spacer" />
        {readOnly ? null : (
          <button type="button" className="btn btn-small" data-testid="guard-rule-new" disabled={editing === -1} onClick={() => setEditing(-1)}>
            Add rule
          </button>
        )}
      </div>
      {rules.length ? (
        <div className="table-wrap">
          <table className="table guard-rules" data-testid="guard-rules">
            <thead>
              <tr>
                <th>On</th>
                <th>Name</th>
                <th>Kind</th>
                <th>Checks</th>
                <th>Action</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                <tr key={`${i}-${r.name}`} data-testid="guard-rule-row" className={r.enabled ? undefined : 'guard-off'}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Rule ${r.name} enabled`}
                      checked={r.enabled}
                      disabled={readOnly}
                      onChange={(e) => setRules(rules.map((o, j) => (j === i ? { ...o, enabled: e.target.checked } : o)))}
                    />
                  </td>
                  <td>{r.name}</td>
                  <td className="muted">{RULE_KIND_LABEL[r.kind]}</td>
                  <td className="mono guard-summary" title={ruleSummary(r)}>
                    {ruleSummary(r)}
                  </td>
                  <td>
                    <span className={r.action === 'block' ? 'tag tag-error' : 'tag guard-tag-flag'}>{r.action}</span>
                  </td>
                  <td className="right">
                    {readOnly ? null : (
                      <>
                        <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditing(i)}>
                          Edit
                        </button>
                        <button type="button" className="btn-icon" aria-label={`Remove rule ${r.name}`} title="Remove" onClick={() => { setRules(rules.filter((_, j) => j !== i)); setEditing(null); }}>
                          ×
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No output rules: replies are shown as they come.</p>
      )}
      {editing !== null ? (
        <RuleEditor
          key={editing}
          initial={editing >= 0 && rules[editing] ? ruleToForm(rules[editing]) : EMPTY_RULE_FORM}
          isNew={editing < 0}
          onCancel={() => setEditing(null)}
          onDone={(rule) => {
            setRules(editing >= 0 ? rules.map((o, j) => (j === editing ? rule : o)) : [...rules, rule]);
            setEditing(null);
          }}
        />
      ) : null}
    </section>
  );
}

function RuleEditor({ initial, isNew, onCancel, onDone }: { initial: RuleForm; isNew: boolean; onCancel: () => void; onDone: (rule: OutputRule) => void }): React.JSX.Element {
  const [form, setForm] = useState<RuleForm>(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (change: Partial<RuleForm>): void => setForm((f) => ({ ...f, ...change }));
  return (
    <form
      className="guard-rule-editor"
      data-testid="guard-rule-editor"
      onSubmit={(e) => {
        e.preventDefault();
        const r = formToRule(form);
        if (!r.ok) {
          setProblem(r.message);
          return;
        }
        onDone(r.rule);
      }}
    >
      <div className="guard-fields">
        <label className="guard-field">
          <span>Name</span>
          <input className="input" data-testid="guard-rule-name" value={form.name} placeholder="no secrets" onChange={(e) => set({ name: e.target.value })} />
        </label>
        <label className="guard-field">
          <span>Kind</span>
          <select className="input" data-testid="guard-rule-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value as RuleKind })}>
            {(Object.keys(RULE_KIND_LABEL) as RuleKind[]).map((k) => (
              <option key={k} value={k}>
                {RULE_KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="guard-field">
          <span>When it matches</span>
          <select className="input" data-testid="guard-rule-action" value={form.action} onChange={(e) => set({ action: e.target.value as 'flag' | 'block' })}>
            <option value="flag">Flag the output</option>
            <option value="block">Block the output</option>
          </select>
        </label>
      </div>
      {form.kind === 'words' ? (
        <label className="guard-field">
          <span>Words or phrases, one a line (any case)</span>
          <textarea className="input mono" rows={3} data-testid="guard-rule-words" value={form.words} onChange={(e) => set({ words: e.target.value })} />
        </label>
      ) : null}
      {form.kind === 'regex' ? (
        <div className="guard-fields">
          <label className="guard-field grow">
            <span>Pattern</span>
            <input className="input mono" data-testid="guard-rule-pattern" value={form.pattern} onChange={(e) => set({ pattern: e.target.value })} />
          </label>
          <label className="guard-field">
            <span>Flags</span>
            <input className="input mono guard-in-flags" value={form.flags} onChange={(e) => set({ flags: e.target.value })} />
          </label>
        </div>
      ) : null}
      {form.kind === 'maxLength' ? (
        <label className="guard-field">
          <span>At most, characters</span>
          <input className="input num guard-in-chars" inputMode="numeric" value={form.chars} onChange={(e) => set({ chars: e.target.value })} />
        </label>
      ) : null}
      {form.kind === 'json' ? <p className="hint">The whole reply must parse as JSON (a ```json fence is allowed).</p> : null}
      {problem ? <div className="field-error">{problem}</div> : null}
      <div className="guard-editor-actions">
        <button type="submit" className="btn btn-small btn-primary" data-testid="guard-rule-done">
          {isNew ? 'Add to policy' : 'Update rule'}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <span className="hint">Then save the policy.</span>
      </div>
    </form>
  );
}

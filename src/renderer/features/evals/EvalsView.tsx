import { useEffect, useState } from 'react';
import type { AssertionInput } from '../../../shared/assertions.schema';
import { ErrorNote } from '../../ui/ErrorNote';
import { RecordList } from '../../ui/RecordList';
import { useModelsStore } from '../../client/models.store';
import { TargetRows } from '../../ui/targets/TargetRows';
import { useTargetsStore } from '../../client/targets.store';
import { EvalRunPanel } from './EvalRunPanel';
import { missingPrereqs } from './evalPrereqs';
import { ASSERTION_FIELDS, ASSERTION_TYPES, describeCheckType, type AssertionType, type FieldSpec } from './assertions';
import { useEvalsStore } from './evals.store';
import { ConstrainToggle, TemplatePick } from './OutputSchemaFields';
import './evals.css';

export function EvalsView(): React.JSX.Element {
  const evals = useEvalsStore((s) => s.evals);
  const current = useEvalsStore((s) => s.current);
  const loadError = useEvalsStore((s) => s.loadError);
  const { init, open, newEval } = useEvalsStore.getState();
  useEffect(() => {
    void init();
  }, [init]);

  return (
    <div className="view view-evals">
      <RecordList
        prefix="ev"
        label="Evaluations"
        title="Evaluations"
        items={evals.map((e) => ({ id: e.id, name: e.name, state: e.status, createdAt: e.createdAt }))}
        currentId={current?.id ?? null}
        loadError={loadError}
        errorTitle="Could not load evaluations"
        newTestId="eval-new"
        rowTestId="eval-list-row"
        onNew={newEval}
        onOpen={(id) => void open(id)}
      />
      <section className="ev-main">{current ? <EvalRunPanel /> : <CreateForm />}</section>
    </div>
  );
}

function CreateForm(): React.JSX.Element {
  const form = useEvalsStore((s) => s.form);
  const prompts = useEvalsStore((s) => s.prompts);
  const versions = useEvalsStore((s) => s.versions);
  const testSets = useEvalsStore((s) => s.testSets);
  const creating = useEvalsStore((s) => s.creating);
  const error = useEvalsStore((s) => s.createError);
  const st = useEvalsStore.getState();
  const [addType, setAddType] = useState<AssertionType>('contains');

  return (
    <>
    <Prereqs />
    <form
      className="card ev-form"
      onSubmit={(e) => {
        e.preventDefault();
        void st.createAndStart();
      }}
    >
      <label className="ev-field">
        <span>Name</span>
        <input className="input" data-testid="eval-name-input" value={form.name} placeholder="What this evaluation checks" onChange={(e) => st.setForm({ name: e.target.value })} />
      </label>

      <div className="ev-field">
        <span>Prompt versions</span>
        <div>
          <select className="input" aria-label="Prompt" data-testid="eval-prompt-pick" value={form.promptId} onChange={(e) => void st.pickPrompt(e.target.value)}>
            <option value="">Choose a prompt…</option>
            {prompts.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} (v{p.latest.number})
              </option>
            ))}
          </select>
          <div className="ev-versions">
            {versions.map((v) => {
              const at = form.versionIds.indexOf(v.id);
              return (
                <label key={v.id} className="check ev-version" data-version={v.number}>
                  <input type="checkbox" data-testid="eval-version-pick" checked={at >= 0} onChange={() => st.toggleVersion(v.id)} />
                  <span className="num">v{v.number}</span>
                  <span className="muted">{v.message}</span>
                  {form.versionIds.length === 2 && at >= 0 ? (
                    <span className={at === 0 ? 'chip ev-ab ev-ab-a' : 'chip ev-ab'} data-testid={`eval-version-${at === 0 ? 'a' : 'b'}`}>
                      {at === 0 ? 'A · baseline' : 'B · candidate'}
                    </span>
                  ) : null}
                </label>
              );
            })}
          </div>
          {form.versionIds.length === 2 ? (
            <p className="hint">
              Two versions: an A/B comparison of B against A.{' '}
              <button type="button" className="btn btn-small" data-testid="eval-swap-ab" onClick={st.swapVersions}>
                Swap A and B
              </button>
            </p>
          ) : null}
        </div>
      </div>

      <div className="ev-field">
        <span>Targets</span>
        <TargetRows store={useEvalsStore} targetKeys={form.targetKeys} targetAdapters={form.targetAdapters} prefix="ev" testIdPrefix="eval" emptyLabel="Each version’s saved target" />
      </div>

      <label className="ev-field">
        <span>Test set</span>
        <select className="input" data-testid="eval-testset-pick" value={form.testSetId} onChange={(e) => st.setForm({ testSetId: e.target.value })}>
          <option value="">Choose a test set…</option>
          {testSets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.rowCount} rows)
            </option>
          ))}
        </select>
      </label>

      <div className="ev-field">
        <span>Assertions</span>
        <div className="ev-assertions">
          {form.assertions.map((a, i) => (
            <AssertionRow key={i} index={i} assertion={a} />
          ))}
          <div className="inline-form">
            <select className="input" aria-label="Assertion type" data-testid="eval-assertion-type" value={addType} onChange={(e) => setAddType(e.target.value as AssertionType)}>
              {ASSERTION_TYPES.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.label}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-small" data-testid="eval-assertion-add" onClick={() => st.addAssertion(addType)}>
              + Assertion
            </button>
          </div>
        </div>
      </div>

      <ConstrainToggle />

      <label className="ev-field">
        <span>Min pass rate</span>
        <span className="inline-form">
          <input className="input ev-narrow" data-testid="eval-threshold-input" inputMode="decimal" placeholder="none" value={form.minPassRate} onChange={(e) => st.setForm({ minPassRate: e.target.value })} />
          <span className="muted">% of rows, per version × target</span>
        </span>
      </label>

      <ErrorNote error={error} title="Could not start the evaluation" />
      <div className="ev-actions">
        <button type="submit" className="btn btn-primary" data-testid="eval-start" disabled={creating}>
          {creating ? 'Starting…' : 'Create and start'}
        </button>
      </div>
    </form>
    </>
  );
}

/** On a fresh install the dropdowns are empty: say what to create first, and where. */
function Prereqs(): React.JSX.Element | null {
  const prompts = useEvalsStore((s) => s.prompts.length);
  const testSets = useEvalsStore((s) => s.testSets.length);
  const models = useModelsStore((s) => s.models.length);
  const remoteTargets = useTargetsStore((s) => s.targets.length);
  const missing = missingPrereqs({ prompts, testSets, models, remoteTargets });
  if (missing.length === 0) return null;
  return (
    <div className="card ev-prereqs" data-testid="eval-prereqs">
      <div className="card-title">Before the first evaluation</div>
      <ol>
        {missing.map((m) => (
          <li key={m.view}>
            <strong>{m.view}</strong>: {m.what}.
          </li>
        ))}
      </ol>
      <p className="hint">An evaluation runs prompt versions over the rows of a test set and checks each output with assertions.</p>
    </div>
  );
}

function AssertionRow({ index, assertion }: { index: number; assertion: AssertionInput }): React.JSX.Element {
  const { updateAssertion, removeAssertion } = useEvalsStore.getState();
  const record = assertion as Record<string, unknown>;
  const put = (key: string, value: unknown): void => {
    const next: Record<string, unknown> = { ...record, [key]: value };
    if (value === undefined) delete next[key];
    updateAssertion(index, next as AssertionInput);
  };
  return (
    <div className="ev-assertion" data-testid="eval-assertion">
      <span className="chip">{describeCheckType(assertion.type)}</span>
      {ASSERTION_FIELDS[assertion.type].map((f) => (
        <AssertionField key={f.key} field={f} value={record[f.key]} onChange={(v) => put(f.key, v)} />
      ))}
      {assertion.type === 'fields' ? <TemplatePick index={index} assertion={assertion} /> : null}
      <span className="spacer" />
      <button type="button" className="btn-icon" aria-label={`Remove assertion ${index + 1}`} onClick={() => removeAssertion(index)}>
        ×
      </button>
    </div>
  );
}

function AssertionField({ field, value, onChange }: { field: FieldSpec; value: unknown; onChange: (v: unknown) => void }): React.JSX.Element {
  const testId = `eval-assertion-${field.key}`;
  switch (field.kind) {
    case 'bool':
      return (
        <label className="check">
          <input type="checkbox" data-testid={testId} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          {field.label}
        </label>
      );
    case 'rougeVariant':
      return (
        <select className="input" aria-label={field.label} data-testid={testId} value={String(value ?? 'rougeL')} onChange={(e) => onChange(e.target.value)}>
          <option value="rouge1">ROUGE-1</option>
          <option value="rouge2">ROUGE-2</option>
          <option value="rougeL">ROUGE-L</option>
        </select>
      );
    case 'number':
    case 'optionalNumber':
      return (
        <label className="ev-inline-field">
          <span className="muted">{field.label}</span>
          <input
            className="input ev-narrow"
            data-testid={testId}
            type="number"
            placeholder={field.placeholder}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? (field.kind === 'optionalNumber' ? undefined : 0) : Number(e.target.value))}
          />
        </label>
      );
    case 'longText':
      return (
        <textarea className="input mono ev-long" aria-label={field.label} data-testid={testId} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
      );
    case 'text':
      return (
        <label className="ev-inline-field grow">
          <span className="muted">{field.label}</span>
          <input
            className="input mono grow"
            data-testid={testId}
            placeholder={field.placeholder}
            value={String(value ?? '')}
            onChange={(e) => onChange(field.key === 'value' && e.target.value === '' && field.placeholder?.startsWith('blank') ? undefined : e.target.value)}
          />
        </label>
      );
  }
}

// The extraction schema in the Evaluations view: the template a `fields` check scores against, the toggle
// that sends its schema with every case, and, once run, what the outputs were held to.
import type { AssertionInput } from '../../../shared/assertions.schema';
import type { EvalInfo } from '../../../shared/evals.schema';
import { useEvalsStore } from './evals.store';
import { constrainedLabel, formSchemaName } from './outputSchema';

/** The fields check's template: picking one copies its fields (and so its rules) into the check. */
export function TemplatePick({ index, assertion }: { index: number; assertion: Extract<AssertionInput, { type: 'fields' }> }): React.JSX.Element {
  const templates = useEvalsStore((s) => s.templates);
  const pickTemplate = useEvalsStore((s) => s.pickTemplate);
  return (
    <label className="ev-inline-field">
      <span className="muted">template</span>
      <select className="input" aria-label="Extraction template" data-testid="eval-assertion-template" value={assertion.templateId ?? ''} onChange={(e) => pickTemplate(index, e.target.value)}>
        <option value="" disabled>
          {templates.length ? 'Choose a template…' : 'No templates: make one under Extraction'}
        </option>
        {templates.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} (v{t.version}, {t.fields.length} fields)
          </option>
        ))}
      </select>
    </label>
  );
}

/** Shown once the form has a fields check: on by default, off sends each version's own schema. */
export function ConstrainToggle(): React.JSX.Element | null {
  const assertions = useEvalsStore((s) => s.form.assertions);
  const templates = useEvalsStore((s) => s.templates);
  const on = useEvalsStore((s) => s.form.constrainOutput);
  const setForm = useEvalsStore((s) => s.setForm);
  const name = formSchemaName(assertions, templates);
  if (name === null) return null;
  return (
    <div className="ev-field">
      <span>Output</span>
      <div>
        <label className="check">
          <input type="checkbox" data-testid="eval-constrain" checked={on} onChange={(e) => setForm({ constrainOutput: e.target.checked })} />
          {constrainedLabel(name)}
        </label>
        <p className="hint">
          {on
            ? 'Sent with every case: a grammar on the local model, json_schema / response_format to servers. A server that refuses it runs the cases unconstrained, and the evaluation says so.'
            : 'Off: each version runs with its own schema, if any. Outputs are still checked against the template, and invalid ones counted.'}
        </p>
      </div>
    </div>
  );
}

/** What the shown evaluation's outputs were held to, and each target that refused the schema. */
export function OutputSchemaNote({ info }: { info: EvalInfo }): React.JSX.Element | null {
  const hasFields = info.definition.assertions.some((a) => a.type === 'fields');
  if (!hasFields) return null;
  const refused = [...new Map(info.columns.filter((c) => c.schemaRefused).map((c) => [c.targetKey, c])).values()];
  return (
    <div className="ev-schema-note" data-testid="eval-output-schema">
      {info.outputSchema ? <span className="chip">{constrainedLabel(info.outputSchema.name)}</span> : <span className="muted">Output not constrained (turned off); checked against the template after.</span>}
      {refused.map((c) => (
        <p key={c.targetKey} className="text-warn" data-testid="eval-schema-refused">
          {c.targetName} refused the schema, so its cases ran unconstrained and were checked after: {c.schemaRefused}
        </p>
      ))}
    </div>
  );
}

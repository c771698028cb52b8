import { formatStopSequences, jsonSchemaProblem, parseParamsForm, parseStopSequences, type ParamsForm } from './params';
import { SchemaField } from './PromptFields';

interface FieldDef {
  key: Exclude<keyof ParamsForm, 'stop'>;
  label: string;
  testId: string;
  hint: string;
  step?: string;
}

const FIELDS: FieldDef[] = [
  { key: 'temperature', label: 'Temperature', testId: 'param-temperature', hint: '0–5; 0 is greedy', step: '0.05' },
  { key: 'topP', label: 'Top-p', testId: 'param-top-p', hint: '0–1', step: '0.01' },
  { key: 'topK', label: 'Top-k', testId: 'param-top-k', hint: '0 disables' },
  { key: 'minP', label: 'Min-p', testId: 'param-min-p', hint: '0–1', step: '0.01' },
  { key: 'repeatPenalty', label: 'Repeat penalty', testId: 'param-repeat-penalty', hint: '0.5–5; 1 is off', step: '0.05' },
  { key: 'maxTokens', label: 'Max tokens', testId: 'param-max-tokens', hint: 'tokens to generate at most' },
  { key: 'seed', label: 'Seed', testId: 'param-seed', hint: 'blank = random' },
];

/** Escapes spelled out and spaces dotted, so a chip shows exactly what stops generation. */
function visible(s: string): string {
  return formatStopSequences([s]).replace(/ /g, '·');
}

interface SamplingFieldsProps {
  params: ParamsForm;
  setParam: (key: keyof ParamsForm, value: string) => void;
  resetParams: () => void;
}

/** The sampling form for any view that holds a ParamsForm. */
export function SamplingFields({ params, setParam, resetParams }: SamplingFieldsProps): React.JSX.Element {
  const parsed = parseParamsForm(params);
  const errors = parsed.ok ? {} : parsed.errors;
  const stops = parseStopSequences(params.stop);

  return (
    <section className="panel-section">
      <div className="block-label">
        <span>Sampling</span>
        <button type="button" className="btn-link" onClick={resetParams}>
          Reset
        </button>
      </div>
      <div className="param-grid">
        {FIELDS.map((f) => (
          <div key={f.key} className="param">
            <label htmlFor={f.testId} title={f.hint}>
              {f.label}
            </label>
            <input
              id={f.testId}
              className={errors[f.key] ? 'input num invalid' : 'input num'}
              data-testid={f.testId}
              inputMode={f.key === 'seed' || f.key === 'topK' || f.key === 'maxTokens' ? 'numeric' : 'decimal'}
              placeholder={f.key === 'seed' ? 'random' : undefined}
              value={params[f.key]}
              aria-invalid={errors[f.key] ? true : undefined}
              title={errors[f.key] ?? f.hint}
              onChange={(e) => setParam(f.key, e.target.value)}
            />
            {errors[f.key] ? <div className="field-error">{errors[f.key]}</div> : null}
          </div>
        ))}
      </div>
      <div className="param-stop">
        <label htmlFor="param-stop">Stop sequences</label>
        <textarea
          id="param-stop"
          className={errors.stop ? 'input mono invalid' : 'input mono'}
          data-testid="param-stop"
          rows={3}
          spellCheck={false}
          placeholder={'one per line; \\n for a newline'}
          value={params.stop}
          onChange={(e) => setParam('stop', e.target.value)}
        />
        {errors.stop ? <div className="field-error">{errors.stop}</div> : null}
        {stops.length ? (
          <div className="chips" aria-label="Stop sequences">
            {stops.map((s) => (
              <span key={s} className="chip mono" title={JSON.stringify(s)}>
                {visible(s)}
              </span>
            ))}
          </div>
        ) : null}
      </div>
    </section>
  );
}

interface JsonSchemaFieldsProps {
  enabled: boolean;
  schemaText: string;
  setEnabled: (on: boolean) => void;
  setSchemaText: (text: string) => void;
  testIdPrefix?: string;
}

export function JsonSchemaFields({ enabled, schemaText, setEnabled, setSchemaText, testIdPrefix = '' }: JsonSchemaFieldsProps): React.JSX.Element {
  const problem = enabled ? jsonSchemaProblem(schemaText) : null;
  return (
    <section className="panel-section">
      <label className="check">
        <input type="checkbox" data-testid={`${testIdPrefix}json-schema-toggle`} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <span>Constrain output to a JSON schema</span>
      </label>
      {enabled ? (
        <>
          <SchemaField value={schemaText} onChange={setSchemaText} testId={`${testIdPrefix}json-schema-editor`} />
          {problem ? <div className="field-error">{problem}</div> : <div className="hint">Output is forced to match this schema.</div>}
        </>
      ) : null}
    </section>
  );
}

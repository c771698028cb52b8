import { lazy, Suspense } from 'react';
import { addExample, patchExample, removeExample, type DraftErrors, type PromptDraft } from './promptDraft';
import { usePromptsStore } from './prompts.store';

const MonacoEditor = lazy(() => import('../../ui/monaco/MonacoEditor'));

type Scalars = Pick<
  PromptDraft,
  'persona' | 'context' | 'format' | 'maxWords' | 'jsonSchemaEnabled' | 'jsonSchema' | 'chainOfThought' | 'reactEnabled' | 'reactTools'
>;

function useDraftField<K extends keyof Scalars>(key: K): [Scalars[K], (value: Scalars[K]) => void] {
  const value = usePromptsStore((s) => (s.ws ? s.ws.draft[key] : null)) as Scalars[K];
  const update = usePromptsStore((s) => s.updateDraft);
  return [value, (v) => update((d) => (d[key] === v ? d : { ...d, [key]: v }))];
}

/** Persona, context, output constraints, reasoning layouts and few-shot examples: composed into the messages by promptRender. */
export function BuildingBlocks({ errors }: { errors: DraftErrors | null }): React.JSX.Element {
  const [persona, setPersona] = useDraftField('persona');
  const [context, setContext] = useDraftField('context');
  return (
    <section className="panel-section">
      <div className="block-label">
        <span>Building blocks</span>
        <span className="hint">Composed into the messages; see the preview.</span>
      </div>
      <div className="pr-blocks">
        <label className="pr-field">
          <span className="pr-field-label">Persona</span>
          <textarea
            className="input"
            data-testid="prompt-persona"
            rows={2}
            spellCheck={false}
            placeholder="You are a careful legal editor."
            value={persona}
            onChange={(e) => setPersona(e.target.value)}
          />
          <span className="hint">Opens the system message.</span>
        </label>
        <label className="pr-field">
          <span className="pr-field-label">Context</span>
          <textarea
            className="input mono"
            data-testid="prompt-context"
            rows={3}
            spellCheck={false}
            placeholder={'Context:\n{{context}}'}
            value={context}
            onChange={(e) => setContext(e.target.value)}
          />
          <span className="hint">Goes before the final user message's text.</span>
        </label>
        <OutputConstraints errors={errors} />
        <Reasoning errors={errors} />
        <Examples errors={errors} />
      </div>
    </section>
  );
}

function OutputConstraints({ errors }: { errors: DraftErrors | null }): React.JSX.Element {
  const [format, setFormat] = useDraftField('format');
  const [maxWords, setMaxWords] = useDraftField('maxWords');
  const [schemaOn, setSchemaOn] = useDraftField('jsonSchemaEnabled');
  const [schema, setSchema] = useDraftField('jsonSchema');
  return (
    <fieldset className="pr-group">
      <legend>Output constraints</legend>
      <div className="pr-output-grid">
        <label className="pr-field">
          <span className="pr-field-label">Format</span>
          <input className="input" data-testid="prompt-format" placeholder="a Markdown bullet list" value={format} onChange={(e) => setFormat(e.target.value)} />
        </label>
        <label className="pr-field">
          <span className="pr-field-label">Max words</span>
          <input
            className={errors?.maxWords ? 'input num invalid' : 'input num'}
            data-testid="prompt-max-words"
            inputMode="numeric"
            placeholder="no limit"
            value={maxWords}
            aria-invalid={errors?.maxWords ? true : undefined}
            onChange={(e) => setMaxWords(e.target.value)}
          />
        </label>
      </div>
      {errors?.maxWords ? <div className="field-error">{errors.maxWords}</div> : null}
      <label className="check pr-check">
        <input type="checkbox" data-testid="prompt-json-schema-toggle" checked={schemaOn} onChange={(e) => setSchemaOn(e.target.checked)} />
        <span>Answer with JSON matching a schema</span>
      </label>
      {schemaOn ? (
        <>
          <Suspense fallback={<div className="monaco-host monaco-loading" style={{ height: 160 }} aria-hidden />}>
            <MonacoEditor testId="prompt-json-schema-editor" ariaLabel="JSON schema" language="json" height={160} value={schema} onChange={setSchema} />
          </Suspense>
          {errors?.jsonSchema ? (
            <div className="field-error">{errors.jsonSchema}</div>
          ) : (
            <div className="hint">Written into the system message; the Playground also constrains output with it.</div>
          )}
        </>
      ) : null}
    </fieldset>
  );
}

function Reasoning({ errors }: { errors: DraftErrors | null }): React.JSX.Element {
  const [cot, setCot] = useDraftField('chainOfThought');
  const [react, setReact] = useDraftField('reactEnabled');
  const [tools, setTools] = useDraftField('reactTools');
  return (
    <fieldset className="pr-group">
      <legend>Reasoning</legend>
      <label className="check pr-check">
        <input type="checkbox" data-testid="prompt-cot" checked={cot} onChange={(e) => setCot(e.target.checked)} />
        <span>Chain of thought</span>
        <span className="hint">“Think step by step…”</span>
      </label>
      <label className="check pr-check">
        <input type="checkbox" data-testid="prompt-react" checked={react} onChange={(e) => setReact(e.target.checked)} />
        <span>ReAct layout</span>
        <span className="hint">Thought / Action / Observation turns</span>
      </label>
      {react ? (
        <label className="pr-field pr-indent">
          <span className="pr-field-label">Tools</span>
          <input
            className={errors?.tools ? 'input mono invalid' : 'input mono'}
            data-testid="prompt-react-tools"
            placeholder="search, calculator"
            spellCheck={false}
            value={tools}
            onChange={(e) => setTools(e.target.value)}
          />
          {errors?.tools ? <span className="field-error">{errors.tools}</span> : <span className="hint">Names separated by commas or spaces.</span>}
        </label>
      ) : null}
    </fieldset>
  );
}

function Examples({ errors }: { errors: DraftErrors | null }): React.JSX.Element {
  const examples = usePromptsStore((s) => s.ws?.draft.examples);
  const update = usePromptsStore((s) => s.updateDraft);
  return (
    <fieldset className="pr-group">
      <legend>Few-shot examples</legend>
      {examples?.length ? (
        <ol className="pr-examples">
          {examples.map((e, i) => (
            <li key={e.key} className="pr-example" data-testid="prompt-example">
              <span className="pr-index num">{i + 1}</span>
              <textarea
                className="input"
                rows={2}
                aria-label={`Example ${i + 1} input`}
                data-testid={`prompt-example-input-${i}`}
                placeholder="input"
                value={e.input}
                onChange={(ev) => update((d) => patchExample(d, e.key, { input: ev.target.value }))}
              />
              <span className="pr-arrow" aria-hidden>
                →
              </span>
              <textarea
                className="input"
                rows={2}
                aria-label={`Example ${i + 1} output`}
                data-testid={`prompt-example-output-${i}`}
                placeholder="output"
                value={e.output}
                onChange={(ev) => update((d) => patchExample(d, e.key, { output: ev.target.value }))}
              />
              <button type="button" className="btn-icon" aria-label={`Remove example ${i + 1}`} title="Remove" onClick={() => update((d) => removeExample(d, i))}>
                ×
              </button>
            </li>
          ))}
        </ol>
      ) : (
        <p className="hint">Each pair becomes a user turn and an assistant reply before the final message.</p>
      )}
      {errors?.examples ? <div className="field-error">{errors.examples}</div> : null}
      <button type="button" className="btn btn-small pr-add" data-testid="prompt-example-add" onClick={() => update(addExample)}>
        + Example
      </button>
    </fieldset>
  );
}

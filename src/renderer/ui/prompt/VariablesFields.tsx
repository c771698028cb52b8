interface VariablesFieldsProps {
  variables: Record<string, string>;
  /** Names the core reported as missing; undefined before the first render. */
  missing: readonly string[] | undefined;
  onChange: (name: string, value: string) => void;
  testIdPrefix?: string;
}

/** One input per {{name}} found in the system prompt and user message. */
export function VariablesFields({ variables, missing, onChange, testIdPrefix = '' }: VariablesFieldsProps): React.JSX.Element {
  const names = Object.keys(variables);
  return (
    <section className="panel-section">
      <div className="block-label">
        <span>Variables</span>
        <span className="hint">{names.length ? `${names.length} found` : 'none'}</span>
      </div>
      {names.length === 0 ? (
        <p className="hint">
          Write <span className="mono">{'{{topic}}'}</span> in either text to add a variable.
        </p>
      ) : (
        <div className="vars">
          {names.map((name) => {
            const isMissing = missing?.includes(name) ?? false;
            return (
              <label key={name} className="var-row">
                <span className={isMissing ? 'var-name mono text-warn' : 'var-name mono'} title={isMissing ? 'No value yet' : undefined}>
                  {name}
                </span>
                <input
                  className={isMissing ? 'input grow warn' : 'input grow'}
                  data-testid={`${testIdPrefix}var-input-${name}`}
                  value={variables[name] ?? ''}
                  placeholder="value"
                  spellCheck={false}
                  onChange={(e) => onChange(name, e.target.value)}
                />
              </label>
            );
          })}
        </div>
      )}
    </section>
  );
}

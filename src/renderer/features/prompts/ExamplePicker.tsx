// "Start from an example": the example templates shipped in resources/prompts/examples, each created as a
// new prompt (v1) through prompts.create and opened, so it is the user's own to edit from there.
import { useState } from 'react';
import { freeName, PROMPT_EXAMPLES, type PromptExample } from '../../../shared/promptExamples';
import { api } from '../../client/bridge';
import { ErrorNote } from '../../ui/ErrorNote';
import { toShownError, type ShownError } from '../../client/errors';
import { authorOrDefault } from './profile';
import { usePromptsStore } from './prompts.store';
import './examplePicker.css';

export function ExamplePicker(): React.JSX.Element {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const start = async (example: PromptExample): Promise<void> => {
    const { prompts, author, refreshList, select } = usePromptsStore.getState();
    setBusy(example.id);
    setError(null);
    try {
      const { prompt } = await api.invoke('prompts.create', {
        // The library refuses a second prompt by the same name: picking one twice gives "… (2)".
        name: freeName(example.name, prompts.map((p) => p.name)),
        description: example.description,
        content: example.content,
        message: `Started from the example "${example.name}"`,
        author: authorOrDefault(author),
      });
      await refreshList();
      await select(prompt.id);
    } catch (e) {
      setError(toShownError(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="pr-starters" data-testid="example-templates" aria-labelledby="pr-starters-title">
      <h3 id="pr-starters-title">Start from an example</h3>
      <div className="pr-starters-grid">
        {PROMPT_EXAMPLES.map((e) => (
          <button
            key={e.id}
            type="button"
            className="pr-starter-card"
            data-testid={`example-template-${e.id}`}
            disabled={busy !== null}
            onClick={() => void start(e)}
          >
            <span className="pr-starter-name">{busy === e.id ? `Creating ${e.name}…` : e.name}</span>
            <span className="pr-starter-desc">{e.description}</span>
          </button>
        ))}
      </div>
      <ErrorNote error={error} title="Could not create the prompt" testId="example-templates-error" onDismiss={() => setError(null)} />
    </section>
  );
}

// The shared prompt-editing pieces (ui/prompt/) bound to the Playground's store.
import { useCallback } from 'react';
import { ensureModelLoaded } from '../../client/modelLoading';
import { PromptFields } from '../../ui/prompt/PromptFields';
import { JsonSchemaFields, SamplingFields } from '../../ui/prompt/SamplingFields';
import { VariablesFields } from '../../ui/prompt/VariablesFields';
import { usePlaygroundStore } from './playground.store';
import { useTargetsStore } from '../../client/targets.store';
import { acceptanceOf } from './PlaygroundImages';

export function VariablesPanel(): React.JSX.Element {
  const variables = usePlaygroundStore((s) => s.variables);
  const missing = usePlaygroundStore((s) => s.rendered?.missingVariables);
  const setVariable = usePlaygroundStore((s) => s.setVariable);
  return <VariablesFields variables={variables} missing={missing} onChange={setVariable} />;
}

export function PromptEditors(): React.JSX.Element {
  const systemPrompt = usePlaygroundStore((s) => s.systemPrompt);
  const userMessage = usePlaygroundStore((s) => s.userMessage);
  const setSystemPrompt = usePlaygroundStore((s) => s.setSystemPrompt);
  const setUserMessage = usePlaygroundStore((s) => s.setUserMessage);
  return <PromptFields systemPrompt={systemPrompt} userMessage={userMessage} onSystemPrompt={setSystemPrompt} onUserMessage={setUserMessage} />;
}

export function SamplingControls(): React.JSX.Element {
  const params = usePlaygroundStore((s) => s.params);
  const setParam = usePlaygroundStore((s) => s.setParam);
  const resetParams = usePlaygroundStore((s) => s.resetParams);
  return <SamplingFields params={params} setParam={setParam} resetParams={resetParams} />;
}

export function JsonSchemaControls(): React.JSX.Element {
  const enabled = usePlaygroundStore((s) => s.schemaEnabled);
  const schemaText = usePlaygroundStore((s) => s.schemaText);
  const setEnabled = usePlaygroundStore((s) => s.setSchemaEnabled);
  const setSchemaText = usePlaygroundStore((s) => s.setSchemaText);
  return <JsonSchemaFields enabled={enabled} schemaText={schemaText} setEnabled={setEnabled} setSchemaText={setSchemaText} />;
}

/** Run the Playground's prompt, loading the chosen model first when needed. */
export function useRunAction(): () => void {
  return useCallback(() => {
    const pg = usePlaygroundStore.getState();
    void pg.run(ensureModelLoaded, acceptanceOf(pg.target, useTargetsStore.getState()));
  }, []);
}

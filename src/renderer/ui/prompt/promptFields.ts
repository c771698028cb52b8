// The editable prompt fields the Playground and Compare share (texts, variables, sampling, JSON schema):
// one set of actions, spread into each feature's own store.
import { DEFAULT_PARAMS, toParamsForm, type ParamsForm } from './params';
import { extractVariables, sameVariables, syncVariables } from './variables';

export interface PromptFieldsState {
  systemPrompt: string;
  userMessage: string;
  variables: Record<string, string>;
  /** Values of variables that disappeared from the texts, restored if the name comes back. */
  variableMemory: Record<string, string>;
  params: ParamsForm;
  schemaEnabled: boolean;
  schemaText: string;
}

export interface PromptFieldsActions {
  setSystemPrompt(text: string): void;
  setUserMessage(text: string): void;
  setVariable(name: string, value: string): void;
  setParam(key: keyof ParamsForm, value: string): void;
  resetParams(): void;
  setSchemaEnabled(on: boolean): void;
  setSchemaText(text: string): void;
}

type Vars = Pick<PromptFieldsState, 'variables' | 'variableMemory'>;

/** The variables after a text edit: names follow the texts, values are kept (or remembered). */
export function withVariables(s: Vars, systemPrompt: string, userMessage: string): Vars | Record<string, never> {
  const next = syncVariables(extractVariables(systemPrompt, userMessage), s.variables, s.variableMemory);
  if (sameVariables(next.values, s.variables)) return {};
  return { variables: next.values, variableMemory: next.memory };
}

type Setter = (partial: Partial<PromptFieldsState> | ((s: PromptFieldsState) => Partial<PromptFieldsState>)) => void;

export function promptFieldsActions(set: Setter): PromptFieldsActions {
  return {
    setSystemPrompt(text) {
      set((s) => ({ systemPrompt: text, ...withVariables(s, text, s.userMessage) }));
    },
    setUserMessage(text) {
      set((s) => ({ userMessage: text, ...withVariables(s, s.systemPrompt, text) }));
    },
    setVariable(name, value) {
      set((s) => ({ variables: { ...s.variables, [name]: value } }));
    },
    setParam(key, value) {
      set((s) => ({ params: { ...s.params, [key]: value } }));
    },
    resetParams() {
      set({ params: toParamsForm(DEFAULT_PARAMS) });
    },
    setSchemaEnabled(on) {
      set({ schemaEnabled: on });
    },
    setSchemaText(text) {
      set({ schemaText: text });
    },
  };
}

// A prompt's working copy: which prompt, its name, the version the edit started from, and the draft.
// Pure helpers over it; the store holds them.
import { promptVariables } from '../../../shared/promptRender';
import type { PromptInfo, PromptVersion } from '../../../shared/prompts.schema';
import { sameVariables, syncVariables } from '../../ui/prompt/variables';
import { checkDraft, draftFromContent, isChanged, previewContent, type PromptDraft } from './promptDraft';

/** One prompt's working copy. */
export interface Workspace {
  /** null: a new prompt that has no v1 yet. */
  promptId: string | null;
  name: string;
  /** The version the edit started from: the parent of the next save. null for a new prompt. */
  base: PromptVersion | null;
  draft: PromptDraft;
}

/** The parked key of the one new, not yet saved prompt. */
export const NEW_PROMPT = 'new';

/** A saved prompt unchanged, or a new one with nothing typed yet, needs no parking. */
export function isDirty(ws: Workspace | null): boolean {
  if (!ws) return false;
  if (ws.promptId === null) {
    const d = ws.draft;
    return ws.name.trim() !== '' || d.messages.some((m) => m.content !== '') || d.persona !== '' || d.context !== '' || d.examples.length > 0;
  }
  return isChanged(checkDraft(ws.draft), ws.base?.content ?? null);
}

export const keyOf = (ws: Workspace): string => ws.promptId ?? NEW_PROMPT;

export function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

export function workspaceFrom(prompt: PromptInfo, version: PromptVersion): Workspace {
  return { promptId: prompt.id, name: prompt.name, base: version, draft: draftFromContent(version.content) };
}

interface Vars {
  variables: Record<string, string>;
  variableMemory: Record<string, string>;
}

/** The workspace plus variable inputs for exactly the {{names}} its composed messages use. */
export function withVariables(s: Vars, ws: Workspace | null): { ws: Workspace | null } & Partial<Vars> {
  if (!ws) return { ws };
  const next = syncVariables(promptVariables(previewContent(ws.draft)), s.variables, s.variableMemory);
  if (sameVariables(next.values, s.variables)) return { ws };
  return { ws, variables: next.values, variableMemory: next.memory };
}

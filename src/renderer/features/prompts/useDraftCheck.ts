import { useMemo } from 'react';
import { checkDraft, isChanged, type DraftCheck } from './promptDraft';
import { usePromptsStore } from './prompts.store';

/** The working copy validated once per edit, and whether it differs from the version it started from. */
export function useDraftCheck(): { check: DraftCheck | null; changed: boolean } {
  const draft = usePromptsStore((s) => s.ws?.draft ?? null);
  const base = usePromptsStore((s) => s.ws?.base ?? null);
  return useMemo(() => {
    if (!draft) return { check: null, changed: false };
    const check = checkDraft(draft);
    return { check, changed: isChanged(check, base?.content ?? null) };
  }, [draft, base]);
}

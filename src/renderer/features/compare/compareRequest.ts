// Builds the compare.start request from the Compare view's draft. Pure.
import type { CompareRequest } from '../../../shared/compare.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import { jsonSchemaProblem, parseParamsForm, type ParamsForm } from '../../ui/prompt/params';
import { filledVariables } from '../../ui/prompt/variables';
import { imageRequestFields, missingImagesMessage, type AttachedImage } from '../../ui/images/imagePrompt';

export const MIN_COLUMNS = 2;
export const MAX_COLUMNS = 8;

export interface CompareDraft {
  columns: readonly (RunTarget | null)[];
  systemPrompt: string;
  userMessage: string;
  variables: Record<string, string>;
  params: ParamsForm;
  schemaEnabled: boolean;
  schemaText: string;
  /** The same images go to every column. */
  images?: readonly AttachedImage[];
  imageSlots?: Readonly<Record<string, AttachedImage>>;
}

export type BuiltCompare =
  | { ok: true; request: CompareRequest; /** The local model to load first, if a column runs one. */ localModelId: string | null }
  | { ok: false; message: string };

export function buildCompareRequest(d: CompareDraft): BuiltCompare {
  if (d.columns.length < MIN_COLUMNS) return { ok: false, message: `Pick at least ${MIN_COLUMNS} columns.` };
  if (d.columns.length > MAX_COLUMNS) return { ok: false, message: `At most ${MAX_COLUMNS} columns.` };
  const empty = d.columns.findIndex((c) => c === null);
  if (empty !== -1) return { ok: false, message: `Choose a model for column ${empty + 1}.` };
  const columns = d.columns as RunTarget[];
  const locals = [...new Set(columns.flatMap((c) => (c.kind === 'local' ? [c.modelId] : [])))];
  if (locals.length > 1) return { ok: false, message: 'Only one local model can be loaded at a time: compare it with remote targets, or with itself.' };
  if (!d.userMessage.trim() && !d.systemPrompt.trim() && !d.images?.length) return { ok: false, message: 'Write a user message first.' };
  const { missing: noImage, ...imageFields } = imageRequestFields(d.images ?? [], d.imageSlots ?? {}, [d.userMessage]);
  const noImageMessage = missingImagesMessage(noImage);
  if (noImageMessage) return { ok: false, message: noImageMessage };
  const missing = Object.entries(d.variables)
    .filter(([, v]) => v === '')
    .map(([k]) => k);
  if (missing.length) return { ok: false, message: `Give a value for ${missing.map((m) => `{{${m}}}`).join(', ')}.` };
  const parsed = parseParamsForm(d.params);
  if (!parsed.ok) return { ok: false, message: Object.values(parsed.errors).join('. ') };
  let jsonSchema: string | null = null;
  if (d.schemaEnabled) {
    const problem = jsonSchemaProblem(d.schemaText);
    if (problem) return { ok: false, message: problem };
    jsonSchema = d.schemaText;
  }
  return {
    ok: true,
    localModelId: locals[0] ?? null,
    request: {
      systemPrompt: d.systemPrompt,
      userMessage: d.userMessage,
      variables: filledVariables(d.variables),
      ...imageFields,
      params: parsed.params,
      jsonSchema,
      columns,
    },
  };
}

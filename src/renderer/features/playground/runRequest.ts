// Builds the runs.start request from what the Playground holds. Pure.
import type { RunRequest, RunTarget } from '../../../shared/runs.schema';
import { adaptersOf } from '../../ui/targets/adapterTarget';
import { jsonSchemaProblem, parseParamsForm, type ParamsForm } from '../../ui/prompt/params';
import { extractVariables } from '../../../shared/template';
import { filledVariables } from '../../ui/prompt/variables';
import { imageCount, imageRequestFields, missingImagesMessage, type Acceptance, type AttachedImage } from '../../ui/images/imagePrompt';

export interface RunDraft {
  /** The local model or a remote target · model. */
  target: RunTarget | null;
  systemPrompt: string;
  userMessage: string;
  variables: Record<string, string>;
  params: ParamsForm;
  schemaEnabled: boolean;
  schemaText: string;
  /** The saved prompt version the texts are, unedited (recorded in the audit log). */
  promptVersionId?: string | null;
  /** Attached to the user message, in order. */
  images?: readonly AttachedImage[];
  /** `{{image:name}}` values. */
  imageSlots?: Readonly<Record<string, AttachedImage>>;
  /** Whether the target takes images (ui/images/imagePrompt imageAcceptance); asked only when there are some. */
  acceptance?: Acceptance;
}

export type BuiltRequest = { ok: true; request: RunRequest } | { ok: false; message: string; missing?: string[] };

export function buildRunRequest(d: RunDraft): BuiltRequest {
  if (!d.target) return { ok: false, message: 'Choose a model first (add one in Models, or a remote target in Targets).' };
  const imageFields = imageRequestFields(d.images ?? [], d.imageSlots ?? {}, [d.userMessage]);
  if (!d.userMessage.trim() && !d.systemPrompt.trim() && !d.images?.length) return { ok: false, message: 'Write a user message first.' };
  // A placeholder without a value would reach the model as "{{name}}": refuse and name what is missing.
  const variables = filledVariables(d.variables);
  const missing = extractVariables(d.systemPrompt, d.userMessage).filter((n) => !Object.prototype.hasOwnProperty.call(variables, n));
  if (missing.length) {
    const names = missing.map((n) => `{{${n}}}`).join(', ');
    return { ok: false, message: `Fill in ${missing.length === 1 ? 'the variable' : 'the variables'} ${names} first; an empty value would be sent as written.`, missing };
  }
  const noImage = missingImagesMessage(imageFields.missing);
  if (noImage) return { ok: false, message: noImage, missing: imageFields.missing.map((n) => `image:${n}`) };
  // An image is never dropped silently: a target that cannot take it is refused here, as the core would.
  if (imageCount(imageFields) > 0 && d.acceptance && !d.acceptance.ok) return { ok: false, message: d.acceptance.reason };
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
    request: {
      // A plain local run uses the modelId shorthand; one with adapters, or a remote one, names its target.
      modelId: d.target.kind === 'local' && !adaptersOf(d.target).length ? d.target.modelId : null,
      target: d.target.kind === 'remote' || adaptersOf(d.target).length ? d.target : null,
      systemPrompt: d.systemPrompt,
      userMessage: d.userMessage,
      variables,
      ...(imageFields.images ? { images: imageFields.images } : {}),
      ...(imageFields.imageVariables ? { imageVariables: imageFields.imageVariables } : {}),
      params: parsed.params,
      jsonSchema,
      promptVersionId: d.promptVersionId ?? null,
    },
  };
}

// A prompt's working copy as the editor holds it (strings while typing), and the way back to the
// PromptContent the contract stores, with the schema's own errors placed next to the fields. Pure.
import { canonicalJson } from '../../../shared/promptRender';
import { PromptContent, type MessageRole, type PromptContentInput } from '../../../shared/prompts.schema';
import type { RunTarget } from '../../../shared/runs.schema';
import { DEFAULT_PARAMS, jsonSchemaProblem, parseParamsForm, toParamsForm, type ParamsForm } from '../../ui/prompt/params';

export interface DraftMessage {
  /** Stable across reorders, so each message keeps its own editor. */
  key: string;
  role: MessageRole;
  content: string;
}

export interface DraftExample {
  key: string;
  input: string;
  output: string;
}

export interface PromptDraft {
  messages: DraftMessage[];
  persona: string;
  context: string;
  format: string;
  /** Blank means no limit. */
  maxWords: string;
  jsonSchemaEnabled: boolean;
  jsonSchema: string;
  chainOfThought: boolean;
  examples: DraftExample[];
  reactEnabled: boolean;
  /** Tool names separated by commas, spaces or new lines. */
  reactTools: string;
  target: RunTarget | null;
  params: ParamsForm;
}

export interface DraftErrors {
  /** By message index: role/order problems and size limits. */
  messages: Record<number, string>;
  maxWords?: string;
  jsonSchema?: string;
  tools?: string;
  examples?: string;
  /** Sampling problems are shown by the sampling form itself; this only says there are some. */
  params?: string;
  /** Anything the schema reports that has no field of its own. */
  general: string[];
}

export type DraftCheck =
  | { ok: true; content: PromptContent; errors: DraftErrors }
  | { ok: false; content: null; errors: DraftErrors };

const DEFAULT_SCHEMA = '{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"]\n}';

let keySeq = 0;
const nextKey = (prefix: string): string => `${prefix}${++keySeq}`;

export function newMessage(role: MessageRole, content = ''): DraftMessage {
  return { key: nextKey('m'), role, content };
}

export function newExample(input = '', output = ''): DraftExample {
  return { key: nextKey('e'), input, output };
}

/** A new prompt: an empty system message and the user message a run answers. */
export function emptyDraft(): PromptDraft {
  return {
    messages: [newMessage('system'), newMessage('user')],
    persona: '',
    context: '',
    format: '',
    maxWords: '',
    jsonSchemaEnabled: false,
    jsonSchema: DEFAULT_SCHEMA,
    chainOfThought: false,
    examples: [],
    reactEnabled: false,
    reactTools: '',
    target: null,
    params: toParamsForm(DEFAULT_PARAMS),
  };
}

export function draftFromContent(c: PromptContent): PromptDraft {
  return {
    messages: c.messages.map((m) => newMessage(m.role, m.content)),
    persona: c.persona,
    context: c.context,
    format: c.output.format,
    maxWords: c.output.maxWords === null ? '' : String(c.output.maxWords),
    jsonSchemaEnabled: c.output.jsonSchema !== null,
    jsonSchema: c.output.jsonSchema ?? DEFAULT_SCHEMA,
    chainOfThought: c.chainOfThought,
    examples: c.examples.map((e) => newExample(e.input, e.output)),
    reactEnabled: c.react.enabled,
    reactTools: c.react.tools.join(', '),
    target: c.target,
    params: toParamsForm(c.params),
  };
}

export function parseTools(text: string): string[] {
  return text.split(/[\s,]+/).filter((t) => t !== '');
}

function parseMaxWords(text: string): number | null | string {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t) || Number(t) < 1) return 'Max words is a whole number of at least 1, or blank for no limit';
  return Number(t);
}

/** The content the draft stands for before validation; numbers that do not parse fall back, so a preview can still show. */
function candidate(d: PromptDraft): { input: PromptContentInput; errors: DraftErrors } {
  const errors: DraftErrors = { messages: {}, general: [] };
  const maxWords = parseMaxWords(d.maxWords);
  if (typeof maxWords === 'string') errors.maxWords = maxWords;
  const schemaProblem = d.jsonSchemaEnabled ? jsonSchemaProblem(d.jsonSchema) : null;
  if (schemaProblem) errors.jsonSchema = schemaProblem;
  const params = parseParamsForm(d.params);
  if (!params.ok) errors.params = 'Fix the sampling settings';
  return {
    errors,
    input: {
      messages: d.messages.map((m) => ({ role: m.role, content: m.content })),
      persona: d.persona,
      context: d.context,
      output: {
        format: d.format,
        maxWords: typeof maxWords === 'number' ? maxWords : null,
        jsonSchema: d.jsonSchemaEnabled ? d.jsonSchema : null,
      },
      chainOfThought: d.chainOfThought,
      examples: d.examples.map((e) => ({ input: e.input, output: e.output })),
      react: { enabled: d.reactEnabled, tools: d.reactEnabled ? parseTools(d.reactTools) : [] },
      target: d.target,
      params: params.ok ? params.params : DEFAULT_PARAMS,
    },
  };
}

function place(errors: DraftErrors, path: readonly PropertyKey[], raw: string): void {
  const message = raw.charAt(0).toUpperCase() + raw.slice(1);
  const [head, second] = path;
  if (head === 'messages' && typeof second === 'number') {
    errors.messages[second] ??= message;
  } else if (head === 'output' && second === 'maxWords') errors.maxWords ??= message;
  else if (head === 'output' && second === 'jsonSchema') errors.jsonSchema ??= message;
  else if (head === 'react') errors.tools ??= message;
  else if (head === 'examples') errors.examples ??= message;
  else if (head === 'params') errors.params ??= message;
  else errors.general.push(path.length ? `${path.join('.')}: ${message}` : message);
}

/** Validates the draft with the contract's PromptContent schema; errors are keyed to the fields that caused them. */
export function checkDraft(d: PromptDraft): DraftCheck {
  const { input, errors } = candidate(d);
  const parsed = PromptContent.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) place(errors, issue.path, issue.message);
  }
  if (!parsed.success || errors.maxWords !== undefined || errors.jsonSchema !== undefined || errors.params !== undefined) return { ok: false, content: null, errors };
  return { ok: true, content: parsed.data, errors };
}

/**
 * The content to preview even while the draft has errors: the same fields without the schema's checks
 * (order rules, limits), so a person sees what the text will become while fixing them.
 */
export function previewContent(d: PromptDraft): PromptContent {
  const { input } = candidate(d);
  const i = input as PromptContent;
  return { ...i, output: { ...i.output }, react: { ...i.react, tools: i.react.tools.filter((t) => t.trim() !== '') } };
}

/** Whether the draft differs from the saved content it started from; a draft that does not validate counts as changed. */
export function isChanged(check: DraftCheck, base: PromptContent | null): boolean {
  if (!base) return true;
  if (!check.ok) return true;
  return canonicalJson(check.content) !== canonicalJson(PromptContent.parse(base));
}

export function hasErrors(e: DraftErrors): boolean {
  return Object.keys(e.messages).length > 0 || e.maxWords !== undefined || e.jsonSchema !== undefined || e.tools !== undefined || e.examples !== undefined || e.params !== undefined || e.general.length > 0;
}

// Edits. Each returns a new draft; the store keeps only text and plain values.

/** Appends a turn after the last: a user message after an assistant or system turn, else an assistant reply. */
export function addMessage(d: PromptDraft): PromptDraft {
  const last = d.messages.at(-1);
  return { ...d, messages: [...d.messages, newMessage(last?.role === 'user' ? 'assistant' : 'user')] };
}

export function removeMessage(d: PromptDraft, index: number): PromptDraft {
  if (d.messages.length <= 1) return d;
  return { ...d, messages: d.messages.filter((_, i) => i !== index) };
}

export function moveMessage(d: PromptDraft, index: number, delta: -1 | 1): PromptDraft {
  const to = index + delta;
  if (to < 0 || to >= d.messages.length) return d;
  const messages = d.messages.slice();
  const [m] = messages.splice(index, 1);
  if (m) messages.splice(to, 0, m);
  return { ...d, messages };
}

/** By key, so an editor's late change lands on its own message even after a reorder. */
export function patchMessage(d: PromptDraft, key: string, patch: Partial<Pick<DraftMessage, 'role' | 'content'>>): PromptDraft {
  const current = d.messages.find((m) => m.key === key);
  if (!current) return d;
  if ((patch.role === undefined || patch.role === current.role) && (patch.content === undefined || patch.content === current.content)) return d;
  return { ...d, messages: d.messages.map((m) => (m.key === key ? { ...m, ...patch } : m)) };
}

export function addExample(d: PromptDraft): PromptDraft {
  return { ...d, examples: [...d.examples, newExample()] };
}

export function removeExample(d: PromptDraft, index: number): PromptDraft {
  return { ...d, examples: d.examples.filter((_, i) => i !== index) };
}

export function patchExample(d: PromptDraft, key: string, patch: Partial<Pick<DraftExample, 'input' | 'output'>>): PromptDraft {
  return { ...d, examples: d.examples.map((e) => (e.key === key ? { ...e, ...patch } : e)) };
}

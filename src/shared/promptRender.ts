// Turns a prompt's structured content into chat messages, playground fields and a canonical text for
// diffs. Pure: the renderer previews with it and the core runs with it, so both see the same messages.
// The building blocks' wording is data the app ships (resources/prompts/building-blocks.json), so it can be
// read and edited without touching code; the tests pin the rendered text.
import buildingBlocks from '../../resources/prompts/building-blocks.json';
import type { PromptContent, PromptMessage, RenderedMessage, PlaygroundFields } from './prompts.schema';
import { extractImageVariables, extractVariables, substituteVariables } from './template';

export const CHAIN_OF_THOUGHT_INSTRUCTION: string = buildingBlocks.chainOfThought;

export function outputInstruction(o: PromptContent['output']): string {
  const lines: string[] = [];
  if (o.format.trim()) lines.push(`Output format: ${o.format}`);
  if (o.maxWords !== null) lines.push(`Use at most ${o.maxWords} words.`);
  if (o.jsonSchema?.trim()) lines.push(`Answer with JSON only, matching this JSON schema:\n${o.jsonSchema}`);
  return lines.join('\n');
}

export function reactInstruction(tools: readonly string[]): string {
  const { heading, tools: toolsLine, layout } = buildingBlocks.react;
  // split/join, not replace: a replacement string would read `$&` in it as a pattern.
  return [heading, ...(tools.length ? [toolsLine.split('{{tools}}').join(tools.join(', '))] : []), ...layout].join('\n');
}

const present = (s: string) => s.trim() !== '';

/**
 * The template's messages with the building blocks composed in, variables not yet substituted:
 * system = persona, the template's system text, output constraints, chain of thought, ReAct layout;
 * then the template's earlier turns; then each example as a user/assistant pair; then the final user
 * message with the context block before its text.
 */
export function composeMessages(content: PromptContent): PromptMessage[] {
  const [first, ...rest] = content.messages;
  const hasSystem = first?.role === 'system';
  const turns = hasSystem ? rest : content.messages;
  const final = turns.at(-1);
  const earlier = turns.slice(0, -1);

  const system = [
    content.persona,
    hasSystem ? first.content : '',
    outputInstruction(content.output),
    content.chainOfThought ? CHAIN_OF_THOUGHT_INSTRUCTION : '',
    content.react.enabled ? reactInstruction(content.react.tools) : '',
  ].filter(present);

  const out: PromptMessage[] = [];
  // An empty template system message still yields one, so its presence is what the author wrote.
  if (system.length > 0 || hasSystem) out.push({ role: 'system', content: system.join('\n\n') });
  out.push(...earlier);
  for (const e of content.examples) out.push({ role: 'user', content: e.input }, { role: 'assistant', content: e.output });
  if (final) out.push({ role: final.role, content: [content.context, final.content].filter(present).join('\n\n') });
  return out;
}

/** {{variables}} the content uses once composed, in order of first appearance. */
export function promptVariables(content: PromptContent): string[] {
  return extractVariables(...composeMessages(content).map((m) => m.content));
}

/** {{image:name}} variables the content uses once composed (filled with images, not text). */
export function promptImageVariables(content: PromptContent): string[] {
  return extractImageVariables(...composeMessages(content).map((m) => m.content));
}

export interface RenderResult {
  messages: RenderedMessage[];
  /** Names with no value, in order of first appearance; they stay as {{name}} in the text. */
  missingVariables: string[];
}

export function renderPrompt(content: PromptContent, variables: Readonly<Record<string, string>>): RenderResult {
  const missing = new Set<string>();
  const messages = composeMessages(content).map((m) => {
    const r = substituteVariables(m.content, variables);
    r.missing.forEach((n) => missing.add(n));
    return { role: m.role, content: r.text };
  });
  return { messages, missingVariables: [...missing] };
}

/**
 * The playground sends one system prompt and one user message, so every turn before the final user
 * message (few-shot examples, earlier template turns) is inlined as labelled text: "Example input:" for a
 * user turn, "Example output:" for an assistant turn, then the real message after "Input:". This keeps
 * the examples in front of the model on any target; a multi-turn run can use the messages directly.
 * An assistant turn after the last user message (a prefill) has no playground field, so it becomes
 * "Begin your answer with:" text.
 */
export function toPlaygroundFields(messages: readonly RenderedMessage[]): PlaygroundFields {
  const systemPrompt = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const turns = messages.filter((m) => m.role !== 'system');
  const lastUser = turns.map((m) => m.role).lastIndexOf('user');
  if (turns.length === 1 && lastUser === 0) return { systemPrompt, userMessage: turns[0]?.content ?? '' };
  const parts = turns.map((m, i) => {
    if (i === lastUser) return `Input:\n${m.content}`;
    if (i > lastUser) return `Begin your answer with:\n${m.content}`;
    return `${m.role === 'user' ? 'Example input' : 'Example output'}:\n${m.content}`;
  });
  return { systemPrompt, userMessage: parts.join('\n\n') };
}

const SAMPLING_KEYS = ['temperature', 'topP', 'topK', 'minP', 'repeatPenalty', 'maxTokens', 'seed', 'stop'] as const;

/**
 * A canonical, readable text of one version (templates unsubstituted) for Monaco's diff editor: the
 * messages with role headers, then each building block that is set, then reasoning, target and sampling.
 */
export function promptText(content: PromptContent): string {
  const sections = [`# Messages\n\n${content.messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n')}`];
  if (present(content.persona)) sections.push(`# Persona\n${content.persona}`);
  if (present(content.context)) sections.push(`# Context\n${content.context}`);
  const o = content.output;
  const output = [
    present(o.format) ? `Format: ${o.format}` : '',
    o.maxWords !== null ? `Max words: ${o.maxWords}` : '',
    o.jsonSchema?.trim() ? `JSON schema:\n${o.jsonSchema}` : '',
  ].filter(present);
  if (output.length) sections.push(`# Output\n${output.join('\n')}`);
  if (content.examples.length) {
    const ex = content.examples.map((e, i) => `[example ${i + 1} input]\n${e.input}\n\n[example ${i + 1} output]\n${e.output}`);
    sections.push(`# Examples\n\n${ex.join('\n\n')}`);
  }
  const react = content.react.enabled ? `on${content.react.tools.length ? ` (tools: ${content.react.tools.join(', ')})` : ''}` : 'off';
  sections.push(`# Reasoning\nChain of thought: ${content.chainOfThought ? 'on' : 'off'}\nReAct: ${react}`);
  const t = content.target;
  sections.push(`# Target\n${t === null ? 'none' : t.kind === 'local' ? `local model ${t.modelId}` : `remote target ${t.targetId}, model ${t.model}`}`);
  sections.push(`# Sampling\n${SAMPLING_KEYS.map((k) => `${k}: ${JSON.stringify(content.params[k])}`).join('\n')}`);
  return `${sections.join('\n\n')}\n`;
}

/** JSON with object keys sorted at every depth, so equal content has one text (and one hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return v;
}

/** Beyond this many differing lines the exact diff is not worth its quadratic cost. */
const MAX_EDIT_DISTANCE = 4000;

/**
 * Lines added and removed going from `a` to `b` (a minimal line diff, Myers' O((N+M)D) algorithm).
 * Past MAX_EDIT_DISTANCE edits it falls back to counting lines as multisets, which ignores moves.
 */
export function lineDiffCounts(a: string, b: string): { added: number; removed: number } {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  const xs = x.slice(start, endX);
  const ys = y.slice(start, endY);
  const d = editDistance(xs, ys, MAX_EDIT_DISTANCE);
  if (d === null) return multisetDiff(xs, ys);
  // d = added + removed and xs.length - removed = ys.length - added (both are the common lines).
  const removed = (d + xs.length - ys.length) / 2;
  return { added: d - removed, removed };
}

function editDistance(a: readonly string[], b: readonly string[], limit: number): number | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, limit);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let i = k === -d || (k !== d && (v[off + k - 1] as number) < (v[off + k + 1] as number)) ? (v[off + k + 1] as number) : (v[off + k - 1] as number) + 1;
      let j = i - k;
      while (i < n && j < m && a[i] === b[j]) {
        i++;
        j++;
      }
      v[off + k] = i;
      if (i >= n && j >= m) return d;
    }
  }
  return null;
}

function multisetDiff(a: readonly string[], b: readonly string[]): { added: number; removed: number } {
  const counts = new Map<string, number>();
  for (const l of a) counts.set(l, (counts.get(l) ?? 0) + 1);
  let added = 0;
  for (const l of b) {
    const c = counts.get(l) ?? 0;
    if (c > 0) counts.set(l, c - 1);
    else added++;
  }
  let removed = 0;
  for (const c of counts.values()) removed += c;
  return { added, removed };
}

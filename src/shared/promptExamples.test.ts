// The shipped example templates against the schema they claim: every file parses as PromptContent with no
// key dropped (a typo would be stripped silently), is accepted by prompts.create, and renders completely
// once its variables are filled.
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, PROMPT_EXAMPLES, freeName } from './promptExamples';
import { promptVariables, renderPrompt } from './promptRender';
import { CreatePrompt, PromptContent } from './prompts.schema';

/** Key paths in `raw` that `parsed` lacks: what a schema would strip. */
function dropped(raw: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(raw)) return raw.flatMap((v, i) => dropped(v, (parsed as unknown[] | undefined)?.[i], `${path}[${i}]`));
  if (raw === null || typeof raw !== 'object') return [];
  const p = (parsed ?? {}) as Record<string, unknown>;
  return Object.entries(raw).flatMap(([k, v]) => (k in p ? dropped(v, p[k], `${path}.${k}`) : [`${path}.${k}`]));
}

describe('example prompt templates (resources/prompts/examples)', () => {
  it('has 4 to 6 examples, each under its own id (packaging.test.ts checks every file in the folder is listed)', () => {
    expect(PROMPT_EXAMPLES.length).toBeGreaterThanOrEqual(4);
    expect(PROMPT_EXAMPLES.length).toBeLessThanOrEqual(6);
    expect(new Set(PROMPT_EXAMPLES.map((e) => e.id)).size).toBe(PROMPT_EXAMPLES.length);
  });


  it.each(EXAMPLE_FILES.map(([id, f]) => ({ id, f })))('$id is PromptContent with nothing stripped, and prompts.create takes it', ({ f }) => {
    const parsed = PromptContent.safeParse(f.content);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(dropped(f.content, parsed.data)).toEqual([]);
    expect(f.name.trim().length).toBeGreaterThan(0);
    expect(f.description.trim().length).toBeGreaterThan(0);
    const create = CreatePrompt.safeParse({ name: f.name, content: f.content, message: `Started from the example "${f.name}"`, author: 'me' });
    expect(create.error?.issues ?? []).toEqual([]);
  });

  it.each(PROMPT_EXAMPLES.map((e) => ({ id: e.id, e })))('$id renders with no variable left once each is filled', ({ e }) => {
    const names = promptVariables(e.content);
    expect(names.length).toBeGreaterThan(0);
    const r = renderPrompt(e.content, Object.fromEntries(names.map((n) => [n, `<${n}>`])));
    expect(r.missingVariables).toEqual([]);
    expect(r.messages.at(-1)?.role).toBe('user');
    expect(r.messages.map((m) => m.content).join('\n')).not.toMatch(/\{\{/);
  });

  it('the extraction example carries a JSON schema that parses', () => {
    const schema = PROMPT_EXAMPLES.find((e) => e.id === 'extract-fields')?.content.output.jsonSchema;
    expect(JSON.parse(schema ?? 'null')).toMatchObject({ type: 'object', required: ['name', 'email', 'company', 'date'] });
  });

  it('picks a free name when the library has one by that name, ignoring case', () => {
    expect(freeName('Classify with labels', ['Other'])).toBe('Classify with labels');
    expect(freeName('Classify with labels', ['classify WITH labels', 'Classify with labels (2)'])).toBe('Classify with labels (3)');
  });
});

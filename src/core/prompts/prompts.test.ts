// The prompt library on a real SQLite database: inputs parsed by the command schemas as the transports
// do, outputs checked against theirs, versions immutable down to the triggers.
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { PromptContent, promptsCommands, type PromptCommandName, type PromptCommands, type PromptContentInput } from '../../shared/prompts.schema';
import { migration0030 } from '../db/migrations/0030-prompts';
import { migrations } from '../db/migrations/index';
import { openDb, type Db } from '../db/openDb';
import { CoreError } from '../errors';
import { promptHandlers } from './prompts.handlers';
import { PromptsRepo } from './prompts.repo';
import { contentHash, PromptsService } from './prompts.service';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

// Works before and after migrations/index.ts lists migration0030.
const withPrompts = [...migrations.filter((m) => m.version < migration0030.version), migration0030];

function library() {
  const db = openDb(':memory:', withPrompts);
  dbs.push(db);
  let clock = 1_700_000_000_000;
  const handlers = promptHandlers(new PromptsService(new PromptsRepo(db), () => clock++));
  /** What dispatch does: parse the input (BAD_INPUT naming the field), run the handler; plus check the output. */
  function call<N extends PromptCommandName>(name: N, input: z.input<PromptCommands[N]['input']>): z.output<PromptCommands[N]['output']> {
    const spec = promptsCommands[name];
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      throw new CoreError('BAD_INPUT', `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
    }
    const out = (handlers[name] as (i: unknown) => unknown)(parsed.data);
    return spec.output.parse(out) as z.output<PromptCommands[N]['output']>;
  }
  return { db, call };
}

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof CoreError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a CoreError');
}

const v1Content: PromptContentInput = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Summarize {{text}}' },
  ],
};
const v2Content: PromptContentInput = { ...v1Content, persona: 'You are an editor.', params: { temperature: 0.2 } };
const v3Content: PromptContentInput = { ...v2Content, chainOfThought: true };

function seeded() {
  const lib = library();
  const { prompt, version: v1 } = lib.call('prompts.create', { name: 'Summarizer', description: 'short summaries', content: v1Content, message: 'first', author: 'ada' });
  const v2 = lib.call('prompts.saveVersion', { promptId: prompt.id, parentId: v1.id, content: v2Content, message: 'persona', author: 'ada' });
  const v3 = lib.call('prompts.saveVersion', { promptId: prompt.id, parentId: v2.id, content: v3Content, message: 'cot', author: 'bob' });
  return { ...lib, prompt, v1, v2, v3 };
}

describe('prompt versions', () => {
  it('create makes v1; saves number 2, 3, … each parented on the one before', () => {
    const { call, prompt, v1, v2, v3 } = seeded();
    expect(v1).toMatchObject({ number: 1, parentId: null, message: 'first', author: 'ada', promptId: prompt.id, variables: ['text'] });
    expect(v1.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(v2).toMatchObject({ number: 2, parentId: v1.id, message: 'persona' });
    expect(v3).toMatchObject({ number: 3, parentId: v2.id, author: 'bob' });
    expect(v3.content.chainOfThought).toBe(true);
    expect(v3.content.params.temperature).toBe(0.2);

    const got = call('prompts.get', { promptId: prompt.id });
    expect(got.versions.map((v) => v.number)).toEqual([3, 2, 1]);
    expect(got.versions.every((v) => !('content' in v))).toBe(true);
    expect(got.latest).toEqual(v3);
    expect(got.prompt).toMatchObject({ name: 'Summarizer', description: 'short summaries', forkedFrom: null, latest: { id: v3.id, number: 3 } });
    expect(call('prompts.version', { versionId: v1.id }).content).toEqual(PromptContent.parse(v1Content));
  });

  it('hashes canonical JSON: key order and spelled-out defaults do not change it', () => {
    const { call, prompt, v1 } = seeded();
    const reordered = {
      params: { stop: [], temperature: 0.8 },
      messages: [
        { content: 'Be brief.', role: 'system' as const },
        { content: 'Summarize {{text}}', role: 'user' as const },
      ],
      chainOfThought: false,
    };
    expect(contentHash(PromptContent.parse(reordered))).toBe(v1.contentHash);
    expect(contentHash(PromptContent.parse(v1Content))).toBe(call('prompts.version', { versionId: v1.id }).contentHash);
    const fresh = call('prompts.create', { name: 'Other', content: reordered, author: 'ada' });
    expect(fresh.version.contentHash).toBe(v1.contentHash);
    expect(prompt.id).not.toBe(fresh.prompt.id);
  });

  it('saving the parent’s content again is a CONFLICT: nothing changed', () => {
    const { call, prompt, v3 } = seeded();
    const reordered = { chainOfThought: true, persona: 'You are an editor.', params: { temperature: 0.2 }, messages: v1Content.messages };
    expect(failure(() => call('prompts.saveVersion', { promptId: prompt.id, parentId: v3.id, content: reordered, author: 'ada' }))).toEqual({
      code: 'CONFLICT',
      message: 'content: nothing changed since v3',
    });
  });

  it('refuses a save whose parent is not the latest, naming the latest version', () => {
    const { call, prompt, v1, v3 } = seeded();
    const e = failure(() => call('prompts.saveVersion', { promptId: prompt.id, parentId: v1.id, content: { ...v1Content, context: 'x' }, author: 'ada' }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toBe(`parentId: the edit started from v1 but the latest is v3 (${v3.id}); reload v3 and save on top of it`);
    const other = call('prompts.create', { name: 'Other', content: v1Content, author: 'ada' });
    expect(failure(() => call('prompts.saveVersion', { promptId: prompt.id, parentId: other.version.id, content: v1Content, author: 'ada' })).message).toMatch(
      /not a version of this prompt/,
    );
    expect(call('prompts.get', { promptId: prompt.id }).versions).toHaveLength(3);
  });

  it('SQLite refuses to UPDATE or DELETE a version row', () => {
    const { db, v1 } = seeded();
    expect(() => db.prepare('UPDATE prompt_versions SET message = ? WHERE id = ?').run('rewritten', v1.id)).toThrow(/immutable: save a new version/);
    expect(() => db.prepare('UPDATE prompt_versions SET content_json = ? WHERE id = ?').run('{}', v1.id)).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM prompt_versions WHERE id = ?').run(v1.id)).toThrow(/immutable: archive the prompt/);
    expect(db.prepare('SELECT message FROM prompt_versions WHERE id = ?').get(v1.id)).toEqual({ message: 'first' });
  });

  it('restore copies an old version’s content into a new latest version', () => {
    const { call, prompt, v1, v3 } = seeded();
    const v4 = call('prompts.restore', { versionId: v1.id, message: 'persona hurt recall', author: 'cy' });
    expect(v4).toMatchObject({ number: 4, parentId: v3.id, restoredFromId: v1.id, message: 'Restore v1: persona hurt recall', author: 'cy' });
    expect(v4.content).toEqual(v1.content);
    expect(v4.contentHash).toBe(v1.contentHash);
    expect(failure(() => call('prompts.restore', { versionId: v4.id, author: 'cy' }))).toEqual({ code: 'CONFLICT', message: 'content: nothing changed since v4' });
    expect(call('prompts.get', { promptId: prompt.id }).versions.map((v) => v.number)).toEqual([4, 3, 2, 1]);
  });

  it('restore without a message says which version it restores', () => {
    const { call, v2 } = seeded();
    expect(call('prompts.restore', { versionId: v2.id, author: 'cy' }).message).toBe('Restore v2');
  });

  it('fork makes a new prompt whose v1 has the chosen content and remembers its origin', () => {
    const { call, prompt, v2 } = seeded();
    const forked = call('prompts.fork', { versionId: v2.id, name: 'Summarizer (terse)', author: 'bob' });
    expect(forked.prompt).toMatchObject({ name: 'Summarizer (terse)', description: 'short summaries', forkedFrom: { promptId: prompt.id, versionId: v2.id } });
    expect(forked.version).toMatchObject({ number: 1, parentId: null, message: 'Fork of Summarizer v2', author: 'bob', contentHash: v2.contentHash });
    expect(forked.version.content).toEqual(v2.content);
    // The origin is untouched.
    expect(call('prompts.get', { promptId: prompt.id }).versions).toHaveLength(3);
    expect(failure(() => call('prompts.fork', { versionId: v2.id, name: 'summarizer', author: 'bob' }))).toEqual({
      code: 'CONFLICT',
      message: 'name: a prompt named "Summarizer" already exists',
    });
  });
});

describe('labels', () => {
  it('a label points at one version and moves; every move is recorded with who, when, from and to', () => {
    const { call, db, prompt, v1, v2, v3 } = seeded();
    expect(call('prompts.setLabel', { versionId: v1.id, label: 'production', author: 'ada' })).toEqual([
      { label: 'production', versionId: v1.id, versionNumber: 1, setAt: expect.any(Number), setBy: 'ada' },
    ]);
    call('prompts.setLabel', { versionId: v3.id, label: 'candidate', author: 'bob' });
    const labels = call('prompts.setLabel', { versionId: v2.id, label: 'production', author: 'cy' });
    expect(labels.map((l) => [l.label, l.versionNumber, l.setBy])).toEqual([
      ['candidate', 3, 'bob'],
      ['production', 2, 'cy'],
    ]);
    // Already there: nothing changes, nothing is recorded.
    call('prompts.setLabel', { versionId: v2.id, label: 'production', author: 'dee' });
    call('prompts.setLabel', { versionId: v3.id, label: 'eval-2024', author: 'ada' });

    const got = call('prompts.get', { promptId: prompt.id });
    expect(got.versions.map((v) => [v.number, v.labels])).toEqual([
      [3, ['candidate', 'eval-2024']],
      [2, ['production']],
      [1, []],
    ]);
    expect(got.prompt.labels.find((l) => l.label === 'production')?.setBy).toBe('cy');

    const history = call('prompts.labelHistory', { promptId: prompt.id, label: 'production' });
    expect(history.map((e) => [e.fromVersionId, e.toVersionId, e.author])).toEqual([
      [v1.id, v2.id, 'cy'],
      [null, v1.id, 'ada'],
    ]);
    expect(history[0]!.movedAt).toBeGreaterThan(history[1]!.movedAt);

    expect(call('prompts.removeLabel', { promptId: prompt.id, label: 'candidate', author: 'bob' }).map((l) => l.label)).toEqual(['eval-2024', 'production']);
    const all = call('prompts.labelHistory', { promptId: prompt.id });
    expect(all.map((e) => `${e.label}:${e.fromVersionId === null ? '-' : 'v'}>${e.toVersionId === null ? 'removed' : 'v'}`)).toEqual([
      'candidate:v>removed',
      'eval-2024:->v',
      'production:v>v',
      'candidate:->v',
      'production:->v',
    ]);
    expect(call('prompts.labelHistory', { promptId: prompt.id, limit: 2 })).toHaveLength(2);
    expect(failure(() => call('prompts.removeLabel', { promptId: prompt.id, label: 'candidate', author: 'bob' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'label: this prompt has no label "candidate"',
    });
    expect(() => db.prepare('DELETE FROM prompt_label_events').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE prompt_label_events SET author = 'x'").run()).toThrow(/append-only/);
  });

  it('labels are lowercase slugs, and "latest" is not one', () => {
    const { call, v1 } = seeded();
    expect(failure(() => call('prompts.setLabel', { versionId: v1.id, label: 'Production', author: 'ada' })).message).toMatch(/^prompts\.setLabel: label: labels are lowercase slugs/);
    expect(failure(() => call('prompts.setLabel', { versionId: v1.id, label: 'latest', author: 'ada' })).message).toBe(
      'prompts.setLabel: label: "latest" always means the newest version and cannot be set',
    );
  });

  it('labels of one prompt never point at another prompt’s versions', () => {
    const { call, prompt } = seeded();
    const other = call('prompts.create', { name: 'Other', content: v1Content, author: 'ada' });
    call('prompts.setLabel', { versionId: other.version.id, label: 'production', author: 'ada' });
    expect(call('prompts.get', { promptId: prompt.id }).prompt.labels).toEqual([]);
    expect(call('prompts.get', { promptId: other.prompt.id }).prompt.labels.map((l) => l.label)).toEqual(['production']);
  });
});

describe('the library', () => {
  it('names are unique (ignoring case); rename keeps them so', () => {
    const { call, prompt } = seeded();
    expect(failure(() => call('prompts.create', { name: 'SUMMARIZER', content: v1Content, author: 'ada' }))).toEqual({
      code: 'CONFLICT',
      message: 'name: a prompt named "Summarizer" already exists',
    });
    const other = call('prompts.create', { name: 'Classifier', content: v1Content, author: 'ada' });
    expect(failure(() => call('prompts.rename', { promptId: other.prompt.id, name: 'summarizer' })).code).toBe('CONFLICT');
    const renamed = call('prompts.rename', { promptId: prompt.id, name: 'summarizer', description: 'lower case now' });
    expect(renamed).toMatchObject({ name: 'summarizer', description: 'lower case now' });
    expect(renamed.updatedAt).toBeGreaterThan(prompt.updatedAt);
    expect(call('prompts.rename', { promptId: prompt.id, name: '  Digest ' }).description).toBe('lower case now');
    expect(call('prompts.list', {}).map((p) => p.name)).toEqual(['Digest', 'Classifier']);
  });

  it('list shows each prompt with its latest version and labels, most recently changed first', () => {
    const { call, prompt, v2 } = seeded();
    const other = call('prompts.create', { name: 'Classifier', content: v1Content, author: 'ada' });
    call('prompts.setLabel', { versionId: v2.id, label: 'production', author: 'ada' });
    const list = call('prompts.list', {});
    expect(list.map((p) => [p.name, p.latest.number, p.labels.map((l) => `${l.label}@v${l.versionNumber}`)])).toEqual([
      ['Classifier', 1, []],
      ['Summarizer', 3, ['production@v2']],
    ]);
    call('prompts.saveVersion', { promptId: prompt.id, parentId: list[1]!.latest.id, content: { ...v3Content, context: 'c' }, author: 'ada' });
    expect(call('prompts.list', {}).map((p) => p.id)).toEqual([prompt.id, other.prompt.id]);
  });

  it('remove archives: the prompt leaves the list and frees its name, its versions stay in the file', () => {
    const { call, db, prompt, v1 } = seeded();
    expect(call('prompts.remove', { promptId: prompt.id })).toEqual({ removed: true });
    expect(call('prompts.remove', { promptId: prompt.id })).toEqual({ removed: false });
    expect(call('prompts.list', {})).toEqual([]);
    expect(failure(() => call('prompts.get', { promptId: prompt.id }))).toEqual({ code: 'NOT_FOUND', message: `No prompt with id ${prompt.id}` });
    expect(failure(() => call('prompts.version', { versionId: v1.id })).code).toBe('NOT_FOUND');
    expect(failure(() => call('prompts.render', { versionId: v1.id })).code).toBe('NOT_FOUND');
    expect(call('prompts.create', { name: 'Summarizer', content: v1Content, author: 'ada' }).version.number).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM prompt_versions WHERE prompt_id = ?').get(prompt.id)).toEqual({ n: 3 });
  });
});

describe('diff and render', () => {
  it('diff returns both canonical texts and a line summary', () => {
    const { call, v1, v3 } = seeded();
    const d = call('prompts.diff', { fromVersionId: v1.id, toVersionId: v3.id });
    expect(d.from).toMatchObject({ versionId: v1.id, number: 1 });
    expect(d.to).toMatchObject({ versionId: v3.id, number: 3 });
    expect(d.from.text).toContain('[system]\nBe brief.\n\n[user]\nSummarize {{text}}');
    expect(d.from.text).toContain('Chain of thought: off');
    expect(d.to.text).toContain('# Persona\nYou are an editor.');
    // + "# Persona", persona line, blank line; chain of thought off→on; temperature 0.8→0.2.
    expect({ added: d.added, removed: d.removed }).toEqual({ added: 5, removed: 2 });
    expect(call('prompts.diff', { fromVersionId: v3.id, toVersionId: v3.id })).toMatchObject({ added: 0, removed: 0 });
  });

  it('render substitutes variables, reports missing ones and gives playground fields and settings', () => {
    const { call, prompt, v3 } = seeded();
    const v4 = call('prompts.saveVersion', {
      promptId: prompt.id,
      parentId: v3.id,
      content: {
        ...v3Content,
        chainOfThought: false,
        context: 'Context:\n{{context}}',
        examples: [{ input: 'Summarize a long memo', output: 'Memo, short.' }],
        output: { jsonSchema: '{"type":"string"}' },
        target: { kind: 'remote', targetId: 'T1', model: 'qwen' },
      },
      message: 'few-shot',
      author: 'ada',
    });
    expect(v4.variables).toEqual(['context', 'text']);
    const r = call('prompts.render', { versionId: v4.id, variables: { text: 'the report' } });
    expect(r.messages).toEqual([
      { role: 'system', content: 'You are an editor.\n\nBe brief.\n\nAnswer with JSON only, matching this JSON schema:\n{"type":"string"}' },
      { role: 'user', content: 'Summarize a long memo' },
      { role: 'assistant', content: 'Memo, short.' },
      { role: 'user', content: 'Context:\n{{context}}\n\nSummarize the report' },
    ]);
    expect(r.missingVariables).toEqual(['context']);
    expect(r.playground).toEqual({
      systemPrompt: 'You are an editor.\n\nBe brief.\n\nAnswer with JSON only, matching this JSON schema:\n{"type":"string"}',
      userMessage: 'Example input:\nSummarize a long memo\n\nExample output:\nMemo, short.\n\nInput:\nContext:\n{{context}}\n\nSummarize the report',
    });
    expect(r).toMatchObject({ versionId: v4.id, jsonSchema: '{"type":"string"}', target: { kind: 'remote', targetId: 'T1', model: 'qwen' } });
    expect(r.params.temperature).toBe(0.2);
  });
});

describe('bad input', () => {
  it('errors name the field at fault', () => {
    const { call, prompt, v1 } = seeded();
    const msg = (fn: () => unknown) => failure(fn).message;
    expect(msg(() => call('prompts.create', { name: ' ', content: v1Content, author: 'ada' }))).toMatch(/^prompts\.create: name: /);
    // @ts-expect-error author is required
    expect(msg(() => call('prompts.create', { name: 'X', content: v1Content }))).toMatch(/^prompts\.create: author: /);
    expect(msg(() => call('prompts.create', { name: 'X', content: { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, author: 'a' }))).toBe(
      'prompts.create: content.messages.1.role: the last message must be the user message a run answers',
    );
    expect(msg(() => call('prompts.create', { name: 'X', content: { ...v1Content, examples: [{ input: 'i' }] } as PromptContentInput, author: 'a' }))).toMatch(
      /^prompts\.create: content\.examples\.0\.output: /,
    );
    // @ts-expect-error parentId is required
    expect(msg(() => call('prompts.saveVersion', { promptId: prompt.id, content: v1Content, author: 'ada' }))).toMatch(/^prompts\.saveVersion: parentId: /);
    expect(msg(() => call('prompts.render', { versionId: v1.id, variables: { n: 3 as unknown as string } }))).toMatch(/^prompts\.render: variables\.n: /);
    expect(msg(() => call('prompts.labelHistory', { promptId: prompt.id, limit: 0 }))).toMatch(/^prompts\.labelHistory: limit: /);
    expect(failure(() => call('prompts.version', { versionId: 'nope' }))).toEqual({ code: 'NOT_FOUND', message: 'No prompt version with id nope' });
    expect(failure(() => call('prompts.saveVersion', { promptId: 'nope', parentId: v1.id, content: v1Content, author: 'a' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'No prompt with id nope',
    });
  });
});

describe('migration 30', () => {
  it('creates STRICT tables, and the hot queries use their indexes', () => {
    const { db } = library();
    const tables = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name LIKE 'prompt%'").all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['prompt_label_events', 'prompt_labels', 'prompt_versions', 'prompts']);
    for (const t of tables) expect(t.sql).toMatch(/STRICT$/);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT id FROM prompt_versions WHERE prompt_id = 'p' ORDER BY number DESC LIMIT 1")).toMatch(/sqlite_autoindex_prompt_versions/);
    expect(plan('SELECT * FROM prompts WHERE archived_at IS NULL ORDER BY updated_at DESC, id DESC')).toMatch(/prompts_updated_at/);
    expect(plan("SELECT * FROM prompts WHERE name = 'x' COLLATE NOCASE AND archived_at IS NULL")).toMatch(/prompts_name/);
    expect(plan("SELECT * FROM prompt_label_events WHERE prompt_id = 'p' ORDER BY moved_at DESC, rowid DESC LIMIT 10")).toMatch(/prompt_label_events_prompt/);
  });
});

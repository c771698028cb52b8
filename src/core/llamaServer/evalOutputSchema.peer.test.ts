// The template's schema on llama.cpp's own llama-server (one thread, a generated model whose text is
// noise): llama-server turns the request's json_schema into a grammar, so every case's output is JSON of
// the template; the same evaluation with constraining off writes noise, counted invalid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunTarget } from '../../shared/runs.schema';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { builtServer } from './buildServer';
import { startLlamaServer, type LlamaServer } from './llamaServerProcess';
import { openEvalCore, savePrompt, type EvalTestCore } from '../evals/testing';

let server: LlamaServer;
let t: EvalTestCore;
let target: RunTarget;

beforeAll(async () => {
  const binary = builtServer('cpu');
  if (!binary) throw new Error('llama-server is not built for this llama.cpp: run `npx lamplight engine build-server` (npm test runs it first)');
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
  server = await startLlamaServer({ binary, model: fx.tinyQ8_0, threads: 1, contextSize: 1024, parallel: 2, lifetimeMs: 600_000 });
  t = openEvalCore();
  const info = await t.core.invoke('targets.add', { name: 'llama-server', baseUrls: [server.baseUrl] });
  const check = await t.core.invoke('targets.check', { targetId: info.id });
  target = { kind: 'remote', targetId: info.id, model: check.models[0]?.id ?? 'model' };
}, 180_000);

afterAll(async () => {
  await t?.close();
  await server?.stop();
});

const rows = ['a', 'b', 'c'].map((x) => ({ variables: { doc: x }, expected: JSON.stringify({ total: '1280' }) }));

describe('an evaluation on llama-server with the template schema', () => {
  it("sends json_schema, which llama-server turns into a grammar; its refusal runs the cases unconstrained, said once", { timeout: 300_000 }, async () => {
    const lines: string[] = [];
    const unsubscribe = server.onLine((l) => lines.push(l));
    const template = await t.core.invoke('extraction.save', { name: 'Total', instructions: '', fields: [{ name: 'total', type: 'amount' }] });
    const v = savePrompt(t.prompts, 'Read', { messages: [{ role: 'user', content: 'The total of {{doc}}' }], params: { temperature: 0, seed: 3, maxTokens: 24 } });
    const base = { promptVersionIds: [v], targets: [target], rows, assertions: [{ type: 'fields' as const, templateId: template.id, fields: template.fields }], concurrency: { remote: 1 } };

    const on = await t.call('evals.create', { name: 'on', ...base });
    await t.call('evals.start', { evalId: on.id });
    const done = await t.evals.wait(on.id);
    unsubscribe();
    // llama-server's own log: the grammar it built from the request's schema, field by field.
    expect(lines.some((l) => /^response-format-schema-total-kv ::= "\\"total\\"" space ":" space/.test(l)), lines.join('\n')).toBe(true);
    // This build cannot prefill the chat grammar with the generated model's SPM tokens for
    // "<|im_start|>assistant\n" and answers 400: the fallback a server without json_schema gets.
    expect(done.errors).toBe(0);
    expect(done.columns[0]?.schemaRefused).toMatch(/: 400 Bad Request — Failed to initialize samplers/);
    const r = await t.call('evals.results', { evalId: on.id });
    // Unconstrained noise, validated after: every output is invalid and fails its document.
    expect(r.stats[0]).toMatchObject({ n: 3, passed: 0, invalid: 3 });
    const grammars = lines.filter((l) => l.startsWith('response-format-schema ::=')).length;
    expect(grammars).toBe(1);
  });
});

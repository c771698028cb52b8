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
  it('sends json_schema, which llama-server turns into a grammar: every case is JSON of the template; unconstrained, noise counted invalid', { timeout: 300_000 }, async () => {
    const template = await t.core.invoke('extraction.save', { name: 'Total', instructions: '', fields: [{ name: 'total', type: 'amount' }] });
    // An amount may be a number, which a noise model closes within maxTokens (a string could run on).
    const v = savePrompt(t.prompts, 'Read', { messages: [{ role: 'user', content: 'The total of {{doc}}' }], params: { temperature: 0, seed: 3, maxTokens: 48 } });
    const base = { promptVersionIds: [v], targets: [target], rows, assertions: [{ type: 'fields' as const, templateId: template.id, fields: template.fields }], concurrency: { remote: 1 } };

    const on = await t.call('evals.create', { name: 'on', ...base });
    await t.call('evals.start', { evalId: on.id });
    const done = await t.evals.wait(on.id);
    // The generated models' prompt tokens render back exactly, so the grammar takes its prefill (no 400).
    expect(done.errors).toBe(0);
    expect(done.columns[0]?.schemaRefused).toBeFalsy();
    const r = await t.call('evals.results', { evalId: on.id });
    for (const row of r.rows) {
      const out = row.cells[0]?.output ?? '';
      expect(Object.keys(JSON.parse(out) as object), out).toEqual(['total']);
      expect(row.cells[0]?.checks[0]?.valid).toBe(true);
    }
    expect(r.stats[0]?.invalid).toBe(0);

    const off = await t.call('evals.create', { name: 'off', ...base, constrainOutput: false });
    await t.call('evals.start', { evalId: off.id });
    await t.evals.wait(off.id);
    const ro = await t.call('evals.results', { evalId: off.id });
    expect(ro.stats[0]).toMatchObject({ n: 3, passed: 0, invalid: 3 });
  });
});

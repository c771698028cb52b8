// The template's schema on the local engine: a generated GGUF model (its text is noise) under
// node-llama-cpp's grammar from the schema writes JSON of the template on every case; the same
// evaluation with constraining turned off writes noise, which the `fields` check counts as invalid.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openEvalCore, savePrompt, type EvalTestCore } from './testing';

let fx: { tinyQ8_0: string };
const opened: EvalTestCore[] = [];
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

const rows = ['a', 'b', 'c'].map((x) => ({ variables: { doc: x }, expected: JSON.stringify({ total: '1280' }) }));

describe('an evaluation on the local engine with the template schema', () => {
  it('writes JSON of the schema on every case; unconstrained, the noise is counted invalid', { timeout: 300_000 }, async () => {
    const t = openEvalCore();
    opened.push(t);
    const m = await t.core.invoke('models.add', { path: fx.tinyQ8_0 });
    await t.core.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
    // An amount may be a number: after a digit the grammar leaves a noise model a few tokens, '}' among them,
    // so the object closes within maxTokens (a string field could run on past it).
    const template = await t.core.invoke('extraction.save', { name: 'Total', instructions: '', fields: [{ name: 'total', type: 'amount' }] });
    const v = savePrompt(t.prompts, 'Read', { messages: [{ role: 'user', content: 'The code in {{doc}}' }], params: { temperature: 0, seed: 1, maxTokens: 48 } });
    const base = { promptVersionIds: [v], targets: [{ kind: 'local' as const, modelId: m.id }], rows, assertions: [{ type: 'fields' as const, templateId: template.id, fields: template.fields }] };

    const on = await t.call('evals.create', { name: 'on', ...base });
    expect(on.outputSchema?.name).toBe('Total');
    await t.call('evals.start', { evalId: on.id });
    expect((await t.evals.wait(on.id)).errors).toBe(0);
    const r = await t.call('evals.results', { evalId: on.id });
    for (const row of r.rows) {
      const out = row.cells[0]?.output ?? '';
      // The grammar's JSON: an object with exactly the template's field, a string.
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

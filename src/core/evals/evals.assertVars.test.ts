// Saving an evaluation refuses an assertion that names a variable the rows do not have (real core, SQLite).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openEvalCore, savePrompt, type EvalTestCore } from './testing';

let fx: { tinyQ8_0: string };
const open: EvalTestCore[] = [];
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe('assertion variables on save', () => {
  it('refuses {{unknown}} naming the assertion and field, accepts {{expected}} and row variables', async () => {
    const t = openEvalCore();
    open.push(t);
    const m = await t.core.invoke('models.add', { path: fx.tinyQ8_0 });
    const versionId = savePrompt(t.prompts, 'Capitals', { messages: [{ role: 'user', content: 'Capital of {{country}}?' }] });
    const base = { name: 'caps', promptVersionIds: [versionId], targets: [{ kind: 'local' as const, modelId: m.id }], rows: [{ variables: { country: 'France' }, expected: 'Paris' }] };
    await expect(t.call('evals.create', { ...base, assertions: [{ type: 'contains', value: '{{expectd}}' }] })).rejects.toThrow(
      /assertions\.0\.value: \{\{expectd\}\} is not a variable of row 1 \(it has \{\{expected\}\}, \{\{country\}\}\)/,
    );
    expect(await t.call('evals.list', {})).toEqual([]);
    const ev = await t.call('evals.create', { ...base, assertions: [{ type: 'contains', value: '{{expected}}' }, { type: 'notContains', value: '{{country}}' }] });
    expect(ev.status).toBe('pending');
  });
});

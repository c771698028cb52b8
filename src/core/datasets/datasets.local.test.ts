// Datasets on the real engine (a tiny generated GGUF, greedy decoding): drafts from a prompt version with
// cancel and resume, preference candidates, and token lengths with the model's own tokenizer. The model's
// text is noise, so checks are about where outputs go, not what they say.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { nextEvent, openTestCore, recordEvents, tempDir } from '../testing/testCore';
import { writeMessagesFile } from './testing/files';

let fx: { tinyQ8_0: string };
let core: Core | null = null;
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});
afterEach(async () => {
  await core?.close();
  core = null;
});

// Enough rows that a cancel sent at the second draft lands long before the last, however fast the machine.
const ROWS = 40;

async function setup(rows = 6) {
  const dir = tempDir('lamplight-ds-local-');
  core = openTestCore({ dataDir: dir });
  const c = core;
  const m = await c.invoke('models.add', { path: fx.tinyQ8_0 });
  await c.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
  const { dataset } = await c.invoke('datasets.import', { path: writeMessagesFile(dir, rows), name: 'd' });
  const created = await c.invoke('prompts.create', {
    name: 'Drafter',
    author: 'test',
    content: { messages: [{ role: 'user', content: 'Answer briefly: {{prompt}}' }], params: { temperature: 0, seed: 1, maxTokens: 6 } },
  });
  return { c, modelId: m.id, datasetId: dataset.id, versionId: created.version.id };
}

const drafts = (c: Core, datasetId: string) => c.invoke('datasets.rows', { datasetId }).then((p) => p.rows.map((r) => r.hasDraft));

describe('datasets on the local engine', () => {
  it('drafts rows from a prompt version; a cancelled job resumes where it stopped', async () => {
    const { c, modelId, datasetId, versionId } = await setup(ROWS);
    const target = { kind: 'local' as const, modelId };
    // Subscribed before each action: on a loaded machine the job can report before the command's reply.
    const progress = recordEvents(c, 'datasets.jobProgress');
    const first = await c.invoke('datasets.draft', { datasetId, promptVersionId: versionId, target });
    await progress.until((p) => p.jobId === first.jobId && p.done >= 2, 'two drafts');
    await c.invoke('datasets.cancelJob', { jobId: first.jobId });
    const end = await progress.until((p) => p.jobId === first.jobId && p.state !== 'running', 'the first job to end');
    expect(end.state).toBe('cancelled');
    const after = await drafts(c, datasetId);
    const done = after.filter(Boolean).length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(ROWS);

    const second = await c.invoke('datasets.draft', { datasetId, promptVersionId: versionId, target });
    const fin = await progress.until((p) => p.jobId === second.jobId && p.state !== 'running', 'the resumed job to end');
    expect(fin).toMatchObject({ state: 'done', total: ROWS - done, done: ROWS - done });
    expect(await drafts(c, datasetId)).toEqual(Array<boolean>(ROWS).fill(true));
    const row = await c.invoke('datasets.row', { datasetId, rowId: (await c.invoke('datasets.rows', { datasetId })).rows[0]?.id as number });
    expect(typeof row.draft).toBe('string');
    // Every draft is a run in history, rendered from the version with the row's prompt filled in.
    const runs = c.db.prepare("SELECT user_message, variables_json FROM runs WHERE source = 'dataset'").all() as { user_message: string; variables_json: string }[];
    expect(runs.length).toBeGreaterThanOrEqual(ROWS);
    expect(runs.every((r) => r.user_message === 'Answer briefly: {{prompt}}')).toBe(true);
    expect(runs.some((r) => (JSON.parse(r.variables_json) as Record<string, string>).prompt === 'Question 0 about topic 0')).toBe(true);
  }, 240_000);

  it('generates two preference candidates and counts tokens with the loaded model', async () => {
    const { c, modelId, datasetId } = await setup();
    const rowId = (await c.invoke('datasets.rows', { datasetId, limit: 1 })).rows[0]?.id as number;
    const target = { kind: 'local' as const, modelId };
    const cand = await c.invoke('datasets.candidates', { datasetId, rowId, targets: [target, target], params: { maxTokens: 4, temperature: 0 } });
    expect(cand.runIds[0]).not.toBe(cand.runIds[1]);
    expect(typeof cand.a).toBe('string');
    const { jobId } = await c.invoke('datasets.analyze', { datasetId, modelId });
    const fin = await nextEvent(c, 'datasets.jobProgress', (p) => p.jobId === jobId && p.state !== 'running', 60_000);
    expect(fin.state).toBe('done');
    const stats = await c.invoke('datasets.stats', { datasetId });
    expect(stats.tokenizer).toMatch(/tiny/);
    expect(stats.tokens?.count).toBe(6);
    expect(stats.tokens?.min).toBeGreaterThan(5);
    const rows = (await c.invoke('datasets.rows', { datasetId, filter: { minTokens: stats.tokens?.max ?? 0 } })).rows;
    expect(rows.length).toBeGreaterThanOrEqual(1);
    await expect(c.invoke('datasets.analyze', { datasetId, modelId: 'not-loaded' })).rejects.toThrow(/not the loaded model/);
  }, 120_000);
});

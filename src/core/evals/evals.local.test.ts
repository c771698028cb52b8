// Evaluations on the real engine: a tiny generated GGUF model, greedy decoding, three rows. Text from the
// model is noise, so the checks are ones whose outcome does not depend on what it says.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { EvalsRepo } from './evals.repo';
import { coreEvalTargets, EvalsService } from './evals.service';
import { openEvalCore, savePrompt, type EvalTestCore } from './testing';

let fx: { tinyQ8_0: string };
const open: EvalTestCore[] = [];
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const greedy = { temperature: 0, seed: 1, maxTokens: 8 };
const rows = [
  { variables: { topic: 'tides' }, expected: 'x', label: 'first' },
  { variables: { topic: 'moons' }, expected: 'y', label: 'second' },
  { variables: { topic: 'stars' }, expected: 'z', label: 'third' },
];

async function setup() {
  const t = openEvalCore();
  open.push(t);
  const m = await t.core.invoke('models.add', { path: fx.tinyQ8_0 });
  await t.core.invoke('engine.load', { modelId: m.id, settings: { gpu: 'cpu', contextSize: 512 } });
  const versionId = savePrompt(t.prompts, 'Explainer', {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Tell me about {{topic}}' },
    ],
    params: greedy,
  });
  return { t, modelId: m.id, versionId };
}

describe('evaluations on the local engine', () => {
  it('runs a 3-row matrix, stores each cell with its run, checks and metrics, and reports per column', async () => {
    const { t, modelId, versionId } = await setup();
    const ev = await t.call('evals.create', {
      name: 'smoke',
      promptVersionIds: [versionId],
      targets: [{ kind: 'local', modelId }],
      rows,
      assertions: [
        { type: 'regex', pattern: '.+', flags: 's' },
        { type: 'maxLatency', ms: 60_000 },
        { type: 'contains', value: 'zzzz-never' },
      ],
    });
    expect(ev.status).toBe('pending');
    expect(ev.total).toBe(3);
    expect(ev.columns[0]?.promptName).toBe('Explainer');
    expect(ev.columns[0]?.targetKey).toBe(`local:${modelId}`);

    const started = await t.call('evals.start', { evalId: ev.id });
    expect(started).toEqual({ evalId: ev.id, total: 3, skipped: 0 });
    await expect(t.call('evals.start', { evalId: ev.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    const done = await t.evals.wait(ev.id);
    expect(done.status).toBe('done');
    expect(done.stored).toBe(3);
    expect(done.failed).toBe(3);
    expect(t.evalRuns()).toBe(3);

    const last = t.progress.at(-1);
    expect(last).toMatchObject({ evalId: ev.id, status: 'done', done: 3, total: 3, passed: 0, failed: 3, errors: 0, running: 0 });

    const r = await t.call('evals.results', { evalId: ev.id });
    const s = r.stats[0];
    expect(s?.n).toBe(3);
    expect(s?.passRate).toBe(0);
    expect(s?.meanScores.maxLatency).toBeGreaterThan(0);
    expect(s?.meanTtftMs).toBeGreaterThan(0);
    expect(s?.meanE2eMs).toBeGreaterThanOrEqual(s?.meanTtftMs as number);
    expect(s?.meanCompletionTokens).toBeGreaterThan(0);
    expect(r.thresholds).toMatchObject({ complete: true, passed: true, failures: [] });
    expect(r.rows.map((row) => row.label)).toEqual(['first', 'second', 'third']);
    for (const row of r.rows) {
      const cell = row.cells[0];
      expect(cell?.error).toBeNull();
      expect(cell?.output.length).toBeGreaterThan(0);
      expect(cell?.checks.map((c) => [c.type, c.pass])).toEqual([
        ['regex', true],
        ['maxLatency', true],
        ['contains', false],
      ]);
      expect(cell?.checks[2]?.reason).toContain('does not contain "zzzz-never"');
      // The run is in history, with the template and the row's variables as the playground stores them.
      const run = await t.core.invoke('runs.get', { runId: cell?.runId as string });
      expect(run.source).toBe('eval');
      expect(run.userMessage).toBe('Tell me about {{topic}}');
      expect(run.variables).toEqual(row.variables);
      expect(run.output).toBe(cell?.output);
      expect(run.params.temperature).toBe(0);
    }
    // Greedy decoding: the same prompt gives the same output on a second run.
    const again = await t.call('evals.create', { name: 'again', promptVersionIds: [versionId], targets: [{ kind: 'local', modelId }], rows: [rows[0] as (typeof rows)[0]], assertions: [{ type: 'isJson' }] });
    t.evals.start(again.id);
    await t.evals.wait(again.id);
    const r2 = await t.call('evals.results', { evalId: again.id });
    expect(r2.rows[0]?.cells[0]?.output).toBe(r.rows[0]?.cells[0]?.output);
  });

  it('a local judge scores on the model the evaluation runs on; noise without a score fails with the reason', async () => {
    const { t, modelId, versionId } = await setup();
    const ev = await t.call('evals.create', {
      name: 'judged locally',
      promptVersionIds: [versionId],
      targets: [{ kind: 'local', modelId }],
      rows: rows.slice(0, 2),
      judge: { rubric: 'Is it about {{topic}}?', min: 5, modelTarget: { kind: 'local', modelId }, params: { temperature: 0, seed: 1, maxTokens: 8 } },
    });
    t.evals.start(ev.id);
    expect(await t.evals.wait(ev.id)).toMatchObject({ status: 'done', stored: 2, errors: 0 });
    expect(t.evalRuns()).toBe(4);
    const r = await t.call('evals.results', { evalId: ev.id });
    for (const row of r.rows) {
      const cell = row.cells[0];
      const judgeRun = await t.core.invoke('runs.get', { runId: cell?.judgeRunId as string });
      expect(judgeRun).toMatchObject({ source: 'eval', target: { kind: 'local', modelId }, variables: {} });
      expect(judgeRun.userMessage).toContain(`RUBRIC:\nIs it about ${row.variables.topic}?`);
      expect(judgeRun.userMessage).toContain(`RESPONSE:\n${cell?.output}`);
      // The tiny model writes noise: no readable score, so the check fails and says why.
      expect(cell?.checks).toEqual([{ type: 'judge', pass: false, score: null, reason: expect.stringMatching(/^no score in the judge's reply/) }]);
      expect(cell?.score).toBe(0);
    }
  });

  it('resumes after a cancel without rerunning stored cells', async () => {
    const { t, modelId, versionId } = await setup();
    const ev = await t.call('evals.create', { name: 'resume', promptVersionIds: [versionId], targets: [{ kind: 'local', modelId }], rows, assertions: [{ type: 'regex', pattern: '.+', flags: 's' }] });
    // Cancel the moment the first cell's run finishes: that cell is kept, nothing after it starts.
    const off = t.core.on('runs.finished', () => void t.call('evals.cancel', { evalId: ev.id }));
    t.evals.start(ev.id);
    const cancelled = await t.evals.wait(ev.id);
    off();
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.stored).toBe(1);
    expect(t.evalRuns()).toBe(1);
    const first = (await t.call('evals.results', { evalId: ev.id })).rows[0]?.cells[0];
    expect(first?.runId).toBeTruthy();

    const resumed = await t.call('evals.start', { evalId: ev.id });
    expect(resumed).toMatchObject({ total: 3, skipped: 1 });
    expect((await t.evals.wait(ev.id)).status).toBe('done');
    expect(t.evalRuns()).toBe(3);
    const after = await t.call('evals.results', { evalId: ev.id });
    expect(after.rows[0]?.cells[0]?.runId).toBe(first?.runId);
    expect(after.rows.every((row) => row.cells[0]?.pass === true)).toBe(true);
    expect(after.eval).toMatchObject({ stored: 3, passed: 3, status: 'done' });
  });

  it('a new process marks an evaluation left running as interrupted, and resumes it', async () => {
    const { t, modelId, versionId } = await setup();
    const ev = await t.call('evals.create', { name: 'crash', promptVersionIds: [versionId], targets: [{ kind: 'local', modelId }], rows, assertions: [{ type: 'regex', pattern: '.+', flags: 's' }] });
    // What the next launch does: a new service on the same database, while the old one still "runs". Made
    // inside the first cell's progress event, so the old one cannot have finished the other cells yet.
    const launch = () => new EvalsService({ repo: new EvalsRepo(t.core.db), runs: t.core.runs, prompts: t.prompts, rows: { rows: async () => [] }, targets: coreEvalTargets(t.core) });
    const firstCell = new Promise<{ next: EvalsService; status: string }>((resolve) => {
      let made = false;
      t.evals.on('progress', (p) => {
        if (p.done < 1 || made) return;
        made = true;
        const next = launch();
        resolve({ next, status: next.get(ev.id).status });
      });
    });
    t.evals.start(ev.id);
    const { next, status } = await firstCell;
    expect(status).toBe('interrupted');
    // The old process goes away (core.close() calls this): its late results are not written.
    t.evals.close();
    expect((await t.evals.wait(ev.id)).status).toBe('interrupted');
    const stored = next.get(ev.id).stored;
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(stored).toBeLessThan(3);
    const resumed = next.start(ev.id);
    expect(resumed.skipped).toBe(stored);
    const done = await next.wait(ev.id);
    expect(done).toMatchObject({ status: 'done', stored: 3, passed: 3 });
  });
});

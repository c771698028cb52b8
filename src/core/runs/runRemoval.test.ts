// runs.remove on a real core (real SQLite, real sharp, images on disk): an image shared by two runs stays
// until both are gone, then leaves the disk at once (no 24 h grace); only an admin removes another
// profile's run; the removal is audited without content and the chain still verifies; a comparison keeps its
// other column and goes with its last one. Runs go to a loopback OpenAI-compatible server (the removal,
// not the model, is under test).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { CommandInput, CommandName, CommandOutput } from '../../shared/contract';
import type { Core } from '../createCore';
import { CoreError } from '../errors';
import { startFakeVllm } from '../remote/testing/fakeVllm';
import { sseStream, startFaultServer } from '../remote/testing/faultServer';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore, recordEvents } from '../testing/testCore';

const open = closeAfterEach();

/** A command as another profile, like a transport would send it. */
async function as<N extends CommandName>(c: Core, profileId: string | null, name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
  const r = await c.dispatch(name, input, profileId ? { profileId } : null);
  if (!r.ok) throw new CoreError(r.error.code, r.error.message);
  return r.value as CommandOutput<N>;
}

async function png(c: Core, name: string, r: number): Promise<string> {
  const data = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r, g: 80, b: 160 } } }).png().toBuffer();
  return (await c.invoke('images.addData', { name, dataBase64: data.toString('base64') })).hash;
}

async function setup() {
  const c = open.core(openTestCore());
  const s = open.server(await startFakeVllm());
  // A small pixel budget: each image is downscaled, so a prepared copy lands in images/prepared/ too.
  const t = await c.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], acceptsImages: 'yes', maxImagePixels: 20_000 });
  const target = { kind: 'remote' as const, targetId: t.id, model: s.baseModel };
  const run = async (profileId: string | null, userMessage: string, hashes: string[] = []) => {
    const { runId } = await as(c, profileId, 'runs.start', { target, userMessage, images: hashes.map((hash, i) => ({ hash, name: `img${i}.png` })), params: { maxTokens: 4 } });
    const rec = await c.runs.wait(runId);
    expect(rec.error).toBeNull();
    return runId;
  };
  return { c, target, run };
}

const fileOf = (c: Core, hash: string) => c.images.filePath(hash);
const preparedOf = (c: Core, hash: string) => readdirSync(join(c.images.dir, 'prepared')).filter((n) => n.startsWith(hash));

describe('runs.remove', () => {
  it('an image two runs share stays until both are removed; an image only the removed run used leaves the disk at once', async () => {
    const { c, run } = await setup();
    const shared = await png(c, 'shared.png', 10);
    const own = await png(c, 'own.png', 200);
    const first = await run(null, 'Customer screenshot, invoice 4711', [shared, own]);
    const second = await run(null, 'Same screenshot again', [shared]);
    const sharedFile = fileOf(c, shared);
    const ownFile = fileOf(c, own);
    expect(preparedOf(c, own).length).toBeGreaterThan(0);

    // The confirmation's numbers, with nothing removed.
    const preview = await c.invoke('runs.remove', { ids: [first], dryRun: true });
    expect(preview).toEqual({ dryRun: true, runIds: [first], imagesRemoved: 1, imagesKept: 1, comparisonsRemoved: 0 });
    expect((await c.invoke('runs.get', { runId: first })).images).toHaveLength(2);
    expect(existsSync(ownFile)).toBe(true);

    const events = recordEvents(c, 'runs.removed');
    const r = await c.invoke('runs.remove', { ids: [first] });
    expect(r).toEqual({ dryRun: false, runIds: [first], imagesRemoved: 1, imagesKept: 1, comparisonsRemoved: 0 });
    await expect(c.invoke('runs.get', { runId: first })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(events.seen).toEqual([{ runIds: [first] }]);
    // Gone now, though it was added moments ago (inside the collector's 24 h grace): file, row, prepared copy.
    expect(existsSync(ownFile)).toBe(false);
    expect(() => c.images.get(own)).toThrow(/no stored image/);
    expect(preparedOf(c, own)).toEqual([]);
    // Still used by the second run.
    expect(existsSync(sharedFile)).toBe(true);
    expect((await c.invoke('runs.search', { query: '' })).map((h) => h.id)).toEqual([second]);
    expect(c.db.prepare('SELECT count(*) AS n FROM run_images WHERE run_id = ?').get(first)).toEqual({ n: 0 });

    expect(await c.invoke('runs.remove', { ids: [second] })).toMatchObject({ imagesRemoved: 1, imagesKept: 0 });
    expect(existsSync(sharedFile)).toBe(false);
    expect(preparedOf(c, shared)).toEqual([]);
    expect(await c.invoke('runs.list', {})).toEqual([]);
  });

  it('keeps an image a test set still uses, and one added again after the run (an upload in progress)', async () => {
    const { c, run } = await setup();
    const inSet = await png(c, 'row.png', 30);
    const again = await png(c, 'again.png', 60);
    const runId = await run(null, 'two images', [inSet, again]);
    const ts = await c.invoke('testsets.create', { name: 'imgs', variables: ['photo'], imageVariables: ['photo'] });
    await c.invoke('testsets.addRow', { testSetId: ts.id, variables: { photo: inSet } });
    await new Promise((r) => setTimeout(r, 5));
    await png(c, 'again.png', 60); // the same bytes pasted again into a draft: added after the run started
    const r = await c.invoke('runs.remove', { ids: [runId] });
    expect(r).toMatchObject({ imagesRemoved: 0, imagesKept: 2 });
    expect(existsSync(fileOf(c, again))).toBe(true);
    expect(existsSync(fileOf(c, inSet))).toBe(true);
    expect(r.runIds).toEqual([runId]);
  });

  it('only an admin removes another profile’s run; a refusal removes nothing and is audited', async () => {
    const { c, run } = await setup();
    const ana = await c.invoke('profiles.create', { name: 'Ana', role: 'analyst' });
    const lab = await c.invoke('profiles.create', { name: 'Lou', role: 'labeler' });
    const adminRun = await run(null, 'admin prompt');
    const anaRun = await run(ana.id, 'analyst prompt');
    const anaOld = await run(ana.id, 'analyst old prompt');
    // History learns whose each run is (it offers boxes only on runs the profile may remove).
    const owners = new Map((await c.invoke('runs.search', {})).map((h) => [h.id, h.profileId]));
    expect([owners.get(adminRun), owners.get(anaRun)]).toEqual([c.profiles.ownerId, ana.id]);

    await expect(as(c, lab.id, 'runs.remove', { ids: [adminRun] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // One refused id in the list removes none of them.
    const refused = as(c, ana.id, 'runs.remove', { ids: [anaRun, adminRun] });
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(refused).rejects.toThrow(`Ana (Analyst) may remove only their own runs; run ${adminRun} was started by another profile (removing it needs admin)`);
    expect((await c.invoke('runs.list', {})).map((r) => r.id).sort()).toEqual([adminRun, anaRun, anaOld].sort());
    const denied = await c.invoke('audit.list', { filter: { kind: 'denied', path: 'runs.remove' }, limit: 10 });
    // Newest first: Ana's refusal here, Lou's by the dispatcher (a labeler may not run at all).
    expect(denied.records.map((r) => r.profileName)).toEqual(['Ana', 'Lou']);

    // The filter, without admin, covers the analyst's own runs only.
    expect((await as(c, ana.id, 'runs.remove', { olderThanDays: 0, dryRun: true })).runIds.sort()).toEqual([anaRun, anaOld].sort());
    expect(await as(c, ana.id, 'runs.remove', { ids: [anaRun] })).toMatchObject({ runIds: [anaRun] });
    // An admin removes anyone's.
    expect(await c.invoke('runs.remove', { ids: [anaOld] })).toMatchObject({ runIds: [anaOld] });
    expect((await c.invoke('runs.list', {})).map((r) => r.id)).toEqual([adminRun]);
    await expect(c.invoke('runs.remove', { ids: [anaOld] })).rejects.toThrow(`ids: no run ${anaOld}; nothing was removed`);
    await expect(c.invoke('runs.remove', {} as CommandInput<'runs.remove'>)).rejects.toThrow(/give either ids or olderThanDays/);
  });

  it('is audited with ids and counts, never the content, and the chain (with the run’s own records) still verifies', async () => {
    const { c, run } = await setup();
    const img = await png(c, 'id-card.png', 90);
    const runId = await run(null, 'secret customer text 9876', [img]);
    const before = await c.invoke('audit.list', { filter: {}, limit: 100 });
    expect(before.records.some((r) => r.kind === 'ai_call' && r.runId === runId)).toBe(true);

    await c.invoke('runs.remove', { olderThanDays: 0 });
    const rec = (await c.invoke('audit.list', { filter: { kind: 'profile', path: 'runs.remove' }, limit: 10 })).records;
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ runId, profileName: expect.any(String) as string });
    expect(rec[0]?.decisions).toEqual([`removed 1 run (started more than 0 days ago): ${runId}`, 'removed 1 image no longer used from disk; kept 0 images still used elsewhere']);
    expect(JSON.stringify(rec[0])).not.toContain('9876');
    // The ai_call record that names the run stays: append-only, and the chain over it still verifies.
    const after = await c.invoke('audit.list', { filter: {}, limit: 100 });
    expect(after.records.some((r) => r.kind === 'ai_call' && r.runId === runId)).toBe(true);
    expect(await c.invoke('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('a comparison keeps its other column, and goes with its last one (its copy of the prompt too)', async () => {
    const { c, target } = await setup();
    const cmp = await c.invoke('compare.start', { userMessage: 'compare me', columns: [target, target], params: { maxTokens: 4 } });
    await Promise.all(cmp.runIds.map((id) => c.runs.wait(id)));
    const [a, b] = cmp.runIds as [string, string];
    expect(await c.invoke('runs.remove', { ids: [a] })).toMatchObject({ comparisonsRemoved: 0 });
    const left = await c.invoke('compare.get', { comparisonId: cmp.comparisonId });
    expect(left.runs.map((r) => r.id)).toEqual([b]);
    expect(await c.invoke('runs.remove', { ids: [b] })).toMatchObject({ comparisonsRemoved: 1 });
    expect(await c.invoke('compare.list', {})).toEqual([]);
    expect(c.db.prepare("SELECT count(*) AS n FROM comparisons WHERE user_message = 'compare me'").get()).toEqual({ n: 0 });
  });

  it('an evaluation keeps its figures when its runs are removed; the cells say so by a null runId', async () => {
    const c = open.core(openTestCore());
    const s = open.server(await startFakeVllm());
    const info = await c.invoke('targets.add', { name: 'box', baseUrls: [s.baseUrl] });
    const p = await c.invoke('prompts.create', { name: 'Greeter', description: '', content: { messages: [{ role: 'user', content: 'Greet {{who}}' }] }, message: '', author: 'test' });
    const ev = await c.invoke('evals.create', {
      name: 'greet',
      promptVersionIds: [p.version.id],
      targets: [{ kind: 'remote', targetId: info.id, model: s.baseModel }],
      rows: [{ variables: { who: 'Ann' } }, { variables: { who: 'Bo' } }],
      assertions: [{ type: 'contains', value: 'Hello' }],
    });
    await c.invoke('evals.start', { evalId: ev.id });
    expect(await c.evals.wait(ev.id)).toMatchObject({ status: 'done', passed: 2 });
    const before = await c.invoke('evals.results', { evalId: ev.id });
    expect(before.rows.flatMap((r) => r.cells.map((c) => c?.output))).toEqual([`Hello from ${s.baseModel}.`, `Hello from ${s.baseModel}.`]);

    expect((await c.invoke('runs.remove', { olderThanDays: 0 })).runIds).toHaveLength(2);
    const after = await c.invoke('evals.results', { evalId: ev.id });
    expect(after.stats.map((x) => [x.n, x.passed, x.passRate])).toEqual(before.stats.map((x) => [x.n, x.passed, x.passRate]));
    const cells = after.rows.flatMap((r) => r.cells).map((c) => c ?? { pass: null, runId: null, output: null, e2eMs: null });
    expect(cells.map((c) => [c.pass, c.runId, c.output, c.e2eMs !== null])).toEqual([
      [true, null, '', true],
      [true, null, '', true],
    ]);
  });

  it('refuses a run still in progress (the filter passes over it) and more than 1,000 ids', async () => {
    const c = open.core(openTestCore());
    // The first token comes after 60 s: the run is in progress for the whole test, then cancelled.
    const s = open.server(await startFaultServer([sseStream({ tokens: ['late'], firstAtMs: 60_000 })]));
    const t = await c.invoke('targets.add', { name: 'slow', baseUrls: [s.baseUrl], maxRetries: 0 });
    const { runId } = await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: 'm' }, userMessage: 'wait' });
    await expect(c.invoke('runs.remove', { ids: [runId] })).rejects.toThrow(`ids: run ${runId} is still running; stop it first. Nothing was removed`);
    expect(await c.invoke('runs.remove', { olderThanDays: 0 })).toMatchObject({ runIds: [] });
    await c.invoke('runs.cancel', { runId });
    expect((await c.runs.wait(runId)).stopReason).toBe('abort');
    expect(await c.invoke('runs.remove', { ids: [runId] })).toMatchObject({ runIds: [runId] });

    const ids = Array.from({ length: 1001 }, (_, i) => `r${i}`);
    await expect(c.invoke('runs.remove', { ids })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

// Evaluations against remote targets on the loopback fault server: scripted answers make pass/fail known,
// so the A/B statistics, errors, resume, judge and exports can be checked exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EvalProgress } from '../../shared/evals.schema';
import type { RunTarget } from '../../shared/runs.schema';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { jsonResponse, sseStream, startFaultServer, type FaultServer, type ScriptedResponse } from '../remote/testing/faultServer';
import { nextEvent, tempDir } from '../testing/testCore';
import type { EvalExport } from './evalResults';
import { openEvalCore, savePrompt, type EvalTestCore } from './testing';

const open: EvalTestCore[] = [];
const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function evalCore(): EvalTestCore {
  const t = openEvalCore();
  open.push(t);
  return t;
}

async function remote(t: EvalTestCore, script: ScriptedResponse[], name = 'box'): Promise<{ server: FaultServer; target: RunTarget }> {
  const server = await startFaultServer(script);
  servers.push(server);
  const info = await t.core.invoke('targets.add', { name, baseUrls: [server.baseUrl], maxRetries: 0 });
  return { server, target: { kind: 'remote', targetId: info.id, model: 'm' } };
}

const say = (text: string, opts: { firstAtMs?: number } = {}) => sseStream({ tokens: [text], ...opts });

/** Two versions of one prompt: the A/B pair. */
function abVersions(t: EvalTestCore): { a: string; b: string } {
  const a = savePrompt(t.prompts, 'Answerer', { messages: [{ role: 'user', content: 'Answer {{q}}' }], params: { temperature: 0 } });
  const b = t.prompts.saveVersion({
    promptId: t.prompts.version(a).promptId,
    parentId: a,
    content: { ...t.prompts.version(a).content, messages: [{ role: 'user', content: 'Answer {{q}} carefully' }] },
    message: 'more careful',
    author: 'test',
  }).id;
  return { a, b };
}

const tenRows = Array.from({ length: 10 }, (_, i) => ({ variables: { q: `q${i}` }, expected: 'ok', label: `row ${i}` }));

/** With remote concurrency 1, cells go row by row, A then B: the script answers in that order. */
function abScript(aCorrect: (i: number) => boolean, bCorrect: (i: number) => boolean): ScriptedResponse[] {
  return tenRows.flatMap((_, i) => [say(aCorrect(i) ? 'ok' : 'nope'), say(bCorrect(i) ? 'ok' : 'nope')]);
}

/** RFC 4180, enough to read the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('A/B evaluation on a remote target', () => {
  it('B right on 9/10 rows vs A on 2/10: McNemar p < 0.05 and "B better"; results, CSV and JSON agree', async () => {
    const t = evalCore();
    const { a, b } = abVersions(t);
    const { server, target } = await remote(t, abScript((i) => i < 2, (i) => i < 9));
    const rows = tenRows.map((r, i) => (i === 0 ? { ...r, variables: { ...r.variables, note: 'He said "hi", then\nleft' } } : r));
    const ev = await t.call('evals.create', {
      name: 'ab',
      promptVersionIds: [a, b],
      targets: [target],
      rows,
      assertions: [{ type: 'equals' }],
      concurrency: { remote: 1 },
      thresholds: { minPassRate: 0.8 },
    });
    expect(ev.columns.map((c) => [c.versionNumber, c.targetName])).toEqual([
      [1, 'box · m'],
      [2, 'box · m'],
    ]);
    await t.call('evals.start', { evalId: ev.id });
    const done = await t.evals.wait(ev.id);
    expect(done).toMatchObject({ status: 'done', stored: 20, passed: 11, failed: 9, errors: 0 });
    expect(t.evalRuns()).toBe(20);
    // The request carried the rendered prompt: the template filled with the row's variables.
    expect(JSON.stringify(server.requests[1]?.body)).toContain('Answer q0 carefully');

    const cmp = await t.call('evals.compare', { evalId: ev.id, versionA: a, versionB: b, target });
    expect(cmp.n).toBe(10);
    expect(cmp.scoreKind).toBe('passFail');
    expect(cmp.mcnemar).toMatchObject({ onlyA: 0, onlyB: 7, bothPass: 2, bothFail: 1 });
    expect(cmp.mcnemar.pValue).toBeCloseTo(2 / 2 ** 7, 12);
    expect(cmp.mcnemar.pValue).toBeLessThan(0.05);
    expect(cmp.bootstrap.meanDiff).toBeCloseTo(0.7);
    expect(cmp.bootstrap.low).toBeGreaterThan(0);
    expect(cmp.verdict).toBe('B better');
    expect(cmp.explanation).toContain('A passes 2/10, B passes 9/10');
    // Swapping the sides swaps the verdict; the target may be left out when there is only one.
    expect((await t.call('evals.compare', { evalId: ev.id, versionA: b, versionB: a })).verdict).toBe('A better');

    const r = await t.call('evals.results', { evalId: ev.id, offset: 8, limit: 5 });
    expect(r.stats.map((s) => [s.n, s.passed, s.passRate, s.errors, s.pending])).toEqual([
      [10, 2, 0.2, 0, 0],
      [10, 9, 0.9, 0, 0],
    ]);
    expect(r.stats[0]?.meanRowScore).toBeCloseTo(0.2);
    expect(r.stats[0]?.meanCompletionTokens).toBe(1);
    expect(r.stats[0]?.meanE2eMs).toBeGreaterThan(0);
    expect(r.rowTotal).toBe(10);
    expect(r.rows.map((row) => row.position)).toEqual([8, 9]);
    const [cellA, cellB] = r.rows[0]?.cells ?? [];
    expect([cellA?.output, cellB?.output]).toEqual(['nope', 'ok']);
    expect(cellA?.checks).toEqual([{ type: 'equals', pass: false, score: null, reason: 'expected "ok", got "nope"' }]);
    expect(cellB?.pass).toBe(true);
    expect(r.thresholds.passed).toBe(false);
    expect(r.thresholds.failures).toEqual([
      { versionId: a, targetKey: `remote:${(target as { targetId: string }).targetId}:m`, message: '"Answerer" v1 on box · m: pass rate 20.0% < min 80.0% (2/10)' },
    ]);

    const dir = tempDir();
    const csv = await t.call('evals.export', { evalId: ev.id, format: 'csv', path: join(dir, 'r.csv') });
    expect(csv.cells).toBe(20);
    const lines = parseCsv(readFileSync(join(dir, 'r.csv'), 'utf8'));
    const head = lines[0] as string[];
    expect(head).toEqual(expect.arrayContaining(['row', 'var.q', 'var.note', 'expected', 'prompt', 'version', 'target', 'pass', 'failed_checks', 'output', 'run_id']));
    expect(lines).toHaveLength(21);
    const col = (name: string, line: string[]) => line[head.indexOf(name)];
    expect(col('var.note', lines[1] as string[])).toBe('He said "hi", then\nleft');
    expect(lines.slice(1).map((l) => `${col('row', l)}${col('version', l)}:${col('pass', l)}`).slice(0, 6)).toEqual(['11:true', '12:true', '21:true', '22:true', '31:false', '32:true']);
    expect(col('failed_checks', lines[5] as string[])).toBe('equals: expected "ok", got "nope"');

    const json = await t.call('evals.export', { evalId: ev.id, format: 'json', path: join(dir, 'r.json') });
    expect(json.bytes).toBeGreaterThan(0);
    const j = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as EvalExport;
    expect(j.eval.id).toBe(ev.id);
    expect(j.rows).toHaveLength(10);
    expect(j.rows[9]?.cells.map((c) => c?.pass)).toEqual([false, false]);
    expect(j.comparisons.map((c) => [c.versionA, c.versionB, c.verdict])).toEqual([[a, b, 'B better']]);
    expect(j.stats.map((s) => s.passRate)).toEqual([0.2, 0.9]);
  });

  it('says "no significant difference" when the versions only trade rows, or too few rows flip', async () => {
    const t = evalCore();
    const { a, b } = abVersions(t);
    // Same pass rate, one discordant row each way.
    const same = await remote(t, abScript((i) => i < 5, (i) => i >= 1 && i < 6), 'same');
    const ev = await t.call('evals.create', { name: 'tie', promptVersionIds: [a, b], targets: [same.target], rows: tenRows, assertions: [{ type: 'equals' }], concurrency: { remote: 1 } });
    t.evals.start(ev.id);
    await t.evals.wait(ev.id);
    const tie = await t.call('evals.compare', { evalId: ev.id, versionA: a, versionB: b });
    expect(tie.mcnemar).toMatchObject({ onlyA: 1, onlyB: 1, pValue: 1 });
    expect(tie.verdict).toBe('no significant difference');

    // B wins on 4 rows and loses none: the bootstrap interval alone excludes 0, but McNemar's p = 0.125.
    const few = await remote(t, abScript((i) => i < 2, (i) => i < 6), 'few');
    const ev2 = await t.call('evals.create', { name: 'few', promptVersionIds: [a, b], targets: [few.target], rows: tenRows, assertions: [{ type: 'equals' }], concurrency: { remote: 1 } });
    t.evals.start(ev2.id);
    await t.evals.wait(ev2.id);
    const c = await t.call('evals.compare', { evalId: ev2.id, versionA: a, versionB: b });
    expect(c.mcnemar).toMatchObject({ onlyA: 0, onlyB: 4, pValue: 0.125 });
    expect(c.bootstrap.low).toBeGreaterThan(0);
    expect(c.verdict).toBe('no significant difference');
  });
});

describe('scheduling, errors and resume', () => {
  it('keeps at most the remote concurrency in flight and throttles progress to 10 a second', async () => {
    const t = evalCore();
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Say {{q}}' }] });
    const { server, target } = await remote(t, Array.from({ length: 7 }, () => say('ok', { firstAtMs: 150 })));
    const ev = await t.call('evals.create', {
      name: 'conc',
      promptVersionIds: [v],
      targets: [target],
      rows: Array.from({ length: 7 }, (_, i) => ({ variables: { q: String(i) } })),
      assertions: [{ type: 'contains', value: 'ok' }],
      concurrency: { remote: 3 },
    });
    const events: { at: number; p: EvalProgress }[] = [];
    t.evals.on('progress', (p) => events.push({ at: Date.now(), p }));
    const t0 = Date.now();
    t.evals.start(ev.id);
    await t.evals.wait(ev.id);
    const elapsed = Date.now() - t0;
    const starts = server.requests.map((r) => r.receivedAt - (server.requests[0]?.receivedAt ?? 0));
    // Three at once, the fourth only when one of them finished.
    expect(starts[2]).toBeLessThan(100);
    expect(starts[3]).toBeGreaterThan(120);
    expect(Math.max(...events.map((e) => e.p.running))).toBe(3);
    // Throttled: at most one event per 100 ms window, plus the final one.
    expect(events.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    for (let i = 1; i < events.length - 1; i++) expect((events[i]?.at ?? 0) - (events[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(90);
    expect(events.at(-1)?.p).toMatchObject({ status: 'done', done: 7, total: 7, passed: 7, running: 0 });
  });

  it('cancel aborts the runs in flight and stores nothing for them; the next start runs only what is missing', async () => {
    const t = evalCore();
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Say {{q}}' }] });
    const long = () => sseStream({ tokens: Array.from({ length: 200 }, (_, i) => ` w${i}`), everyMs: 20 });
    const { server, target } = await remote(t, [long(), long(), say('ok'), say('ok'), say('ok'), say('ok')]);
    const ev = await t.call('evals.create', {
      name: 'cancel',
      promptVersionIds: [v],
      targets: [target],
      rows: Array.from({ length: 4 }, (_, i) => ({ variables: { q: String(i) } })),
      assertions: [{ type: 'contains', value: 'ok' }],
      concurrency: { remote: 2 },
    });
    const chunk = nextEvent(t.core, 'runs.chunk');
    t.evals.start(ev.id);
    await chunk;
    expect(await t.call('evals.cancel', { evalId: ev.id })).toEqual({ cancelled: true });
    const cancelled = await t.evals.wait(ev.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', stored: 0 });
    await vi.waitFor(() => expect(server.requests.slice(0, 2).map((r) => r.closedByClient)).toEqual([true, true]));
    expect(t.evalRuns()).toBe(2);
    expect(await t.call('evals.cancel', { evalId: ev.id })).toEqual({ cancelled: false });

    expect(await t.call('evals.start', { evalId: ev.id })).toMatchObject({ total: 4, skipped: 0 });
    expect(await t.evals.wait(ev.id)).toMatchObject({ status: 'done', stored: 4, passed: 4 });
    expect(t.evalRuns()).toBe(6);
  });

  it('stores a failed run as an error cell outside the pass rate, and retries it on the next start', async () => {
    const t = evalCore();
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Say {{q}}' }] });
    const { target } = await remote(t, [jsonResponse(500, { error: { message: 'GPU on fire' } }), say('ok'), say('nope'), say('ok')]);
    const ev = await t.call('evals.create', {
      name: 'errors',
      promptVersionIds: [v],
      targets: [target],
      rows: Array.from({ length: 3 }, (_, i) => ({ variables: { q: String(i) } })),
      assertions: [{ type: 'contains', value: 'ok' }],
      concurrency: { remote: 1 },
      thresholds: { minPassRate: 0.5 },
    });
    t.evals.start(ev.id);
    expect(await t.evals.wait(ev.id)).toMatchObject({ status: 'done', stored: 3, passed: 1, failed: 1, errors: 1 });
    expect(t.progress.at(-1)).toMatchObject({ done: 3, errors: 1 });
    const r = await t.call('evals.results', { evalId: ev.id });
    expect(r.stats[0]).toMatchObject({ n: 2, passed: 1, passRate: 0.5, errors: 1, pending: 0 });
    expect(r.rows[0]?.cells[0]?.error).toMatch(/GPU on fire|500/);
    expect(r.rows[0]?.cells[0]?.pass).toBe(false);
    expect(r.thresholds).toMatchObject({ complete: false, passed: false });

    expect(await t.call('evals.start', { evalId: ev.id })).toMatchObject({ skipped: 2 });
    expect(await t.evals.wait(ev.id)).toMatchObject({ stored: 3, passed: 2, errors: 0 });
    expect((await t.call('evals.results', { evalId: ev.id })).thresholds).toMatchObject({ complete: true, passed: true });
  });
});

describe('judge, targets saved in versions, test sets and validation', () => {
  it('a rubric judge scores each output; a reply without a score fails the check with the reason', async () => {
    const t = evalCore();
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Explain {{q}}' }] });
    const { target } = await remote(t, [say('Tides come from the moon.'), say('Dunno.'), say('Gravity, mostly.')], 'model');
    const judge = await remote(t, [say('Clear and correct. SCORE: 8/10'), say('I like it a lot!'), say('Thin answer.\n**Score:** 3/10')], 'judge');
    const ev = await t.call('evals.create', {
      name: 'judged',
      promptVersionIds: [v],
      targets: [target],
      rows: [
        { variables: { q: 'tides' }, expected: 'The moon pulls the sea.' },
        { variables: { q: 'waves' } },
        { variables: { q: 'orbits' } },
      ],
      judge: { rubric: 'Is the explanation of {{q}} correct and clear?', min: 5, modelTarget: judge.target },
      concurrency: { remote: 1 },
    });
    t.evals.start(ev.id);
    expect(await t.evals.wait(ev.id)).toMatchObject({ stored: 3, passed: 1, failed: 2 });
    expect(t.evalRuns()).toBe(6);
    const body = JSON.stringify(judge.server.requests[0]?.body);
    expect(body).toContain('Is the explanation of tides correct and clear?');
    expect(body).toContain('Tides come from the moon.');
    expect(body).toContain('The moon pulls the sea.');
    expect(body).toContain('q: tides');

    const r = await t.call('evals.results', { evalId: ev.id });
    const checks = r.rows.map((row) => row.cells[0]?.checks[0]);
    expect(checks.map((c) => [c?.pass, c?.score])).toEqual([
      [true, 8],
      [false, null],
      [false, 3],
    ]);
    expect(checks[0]?.reason).toBe('judge 8/10 (min 5): Clear and correct.');
    expect(checks[1]?.reason).toMatch(/no score in the judge's reply.*I like it a lot!/);
    expect(r.rows.map((row) => row.cells[0]?.score)).toEqual([0.8, 0, 0.3]);
    expect(r.rows[0]?.cells[0]?.judgeRunId).toBeTruthy();
    expect(r.stats[0]?.meanScores.judge).toBeCloseTo(5.5);
  });

  it('runs each version on its own saved target when none are given, and compares across them', async () => {
    const t = evalCore();
    const one = await remote(t, [say('ok'), say('ok')], 'one');
    const two = await remote(t, [say('nope'), say('ok')], 'two');
    const a = savePrompt(t.prompts, 'A', { messages: [{ role: 'user', content: 'Q {{q}}' }], target: one.target });
    const b = savePrompt(t.prompts, 'B', { messages: [{ role: 'user', content: 'Q {{q}}!' }], target: two.target });
    const ev = await t.call('evals.create', { name: 'own', promptVersionIds: [a, b], rows: tenRows.slice(0, 2), assertions: [{ type: 'equals' }] });
    expect(ev.columns.map((c) => `${c.promptName}@${c.targetName}`)).toEqual(['A@one · m', 'B@two · m']);
    t.evals.start(ev.id);
    await t.evals.wait(ev.id);
    const c = await t.call('evals.compare', { evalId: ev.id, versionA: a, versionB: b });
    expect([c.targetKeyA, c.targetKeyB]).toEqual([ev.columns[0]?.targetKey, ev.columns[1]?.targetKey]);
    expect(c).toMatchObject({ n: 2, passRateA: 1, passRateB: 0.5, verdict: 'no significant difference' });
    await expect(t.call('evals.compare', { evalId: ev.id, versionA: a, versionB: b, target: one.target })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('copies a test set’s rows when created, so later edits do not change it', async () => {
    const t = evalCore();
    const set = await t.core.invoke('testsets.create', { name: 'qs', variables: ['q'] });
    for (const q of ['x', 'y']) await t.core.invoke('testsets.addRow', { testSetId: set.id, variables: { q }, expected: 'ok' });
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Q {{q}}' }] });
    const { target } = await remote(t, [say('ok'), say('ok')]);
    const ev = await t.call('evals.create', { name: 'from set', promptVersionIds: [v], targets: [target], testSetId: set.id, assertions: [{ type: 'equals' }] });
    expect(ev).toMatchObject({ rowCount: 2, total: 2, definition: { testSetId: set.id } });
    await t.core.invoke('testsets.addRow', { testSetId: set.id, variables: { q: 'z' } });
    t.evals.start(ev.id);
    expect(await t.evals.wait(ev.id)).toMatchObject({ stored: 2, passed: 2 });
    const r = await t.call('evals.results', { evalId: ev.id });
    expect(r.rows.map((row) => row.variables.q)).toEqual(['x', 'y']);
    expect((await t.call('evals.list', {})).map((e) => e.id)).toEqual([ev.id]);
    expect(await t.call('evals.remove', { evalId: ev.id })).toEqual({ removed: true });
    await expect(t.call('evals.get', { evalId: ev.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses definitions that cannot run, naming what is wrong', async () => {
    const t = evalCore();
    const v = savePrompt(t.prompts, 'P', { messages: [{ role: 'user', content: 'Q {{q}} {{r}}' }] });
    const fx = await ensureFixtureModels(undefined, ['tinyQ8_0', 'tinyF16']);
    const m1 = await t.core.invoke('models.add', { path: fx.tinyQ8_0 });
    const m2 = await t.core.invoke('models.add', { path: fx.tinyF16 });
    const base = { name: 'bad', promptVersionIds: [v], targets: [{ kind: 'local' as const, modelId: m1.id }], assertions: [{ type: 'isJson' as const }] };
    await expect(t.call('evals.create', { ...base, rows: [{ variables: { q: '1', r: '2' } }, { variables: { q: '1' } }] })).rejects.toThrow(/row 2 has no \{\{r\}\} for "P" v1/);
    await expect(t.call('evals.create', { ...base, targets: [], rows: [{ variables: { q: '1', r: '2' } }] })).rejects.toThrow(/"P" v1 has no saved target/);
    await expect(t.call('evals.create', { ...base, assertions: [] as never[], rows: [{ variables: { q: '1', r: '2' } }] })).rejects.toThrow(/assertions: give at least one assertion or a judge/);
    await expect(t.call('evals.create', { ...base })).rejects.toThrow(/testSetId: give a testSetId or inline rows/);
    await expect(
      t.call('evals.create', { ...base, rows: [{ variables: { q: '1', r: '2' } }], judge: { rubric: 'r', min: 5, modelTarget: { kind: 'local', modelId: m2.id } } }),
    ).rejects.toThrow(/a local judge must be the local model/);
    await expect(t.call('evals.create', { ...base, promptVersionIds: ['nope'], rows: [{ variables: {} }] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.call('evals.list', {})).toEqual([]);
  });
});

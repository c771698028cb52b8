// Evaluations over an image test set on a real core: each row runs as an image prompt (imageVariables
// filled from the row's image column), assertions judge the text output, and rows without an image are
// refused at create with the row named.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { RunRequest, type RunRecord } from '../../shared/runs.schema';
import { sseStream, startFaultServer, type FaultServer } from '../remote/testing/faultServer';
import { tempDir } from '../testing/testCore';
import { gradientPng } from '../testsets/imageFixtures';
import { openEvalCore, savePrompt, type EvalTestCore } from './testing';

const open: EvalTestCore[] = [];
const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

it('an evaluation over an image test set sends each row as an image prompt and checks its text output', async () => {
  const t = openEvalCore();
  open.push(t);
  const dir = tempDir('lamplight-evalimg-');
  mkdirSync(join(dir, 'scans'));
  for (let i = 0; i < 3; i++) writeFileSync(join(dir, 'scans', `r${i}.png`), await gradientPng(32 + i, 24, i));
  writeFileSync(join(dir, 'set.csv'), 'scan,question,expected\nscans/r0.png,Total?,12\nscans/r1.png,Shop?,Ada\nscans/r2.png,Date?,today\n');
  const imported = await t.core.invoke('testsets.import', {
    path: join(dir, 'set.csv'),
    name: 'Scans',
    mapping: { variables: { scan: 'receipt', question: 'question' }, expected: 'expected', label: null, images: ['receipt'] },
  });
  const { rows } = await t.core.invoke('testsets.rows', { testSetId: imported.testSet.id });

  const server = await startFaultServer(['12', 'Ada', 'tomorrow'].map((a) => sseStream({ tokens: [a] })));
  servers.push(server);
  const target = await t.core.invoke('targets.add', { name: 'vl', baseUrls: [server.baseUrl], maxRetries: 0, acceptsImages: 'yes' });
  const versionId = savePrompt(t.prompts, 'Receipt reader', { messages: [{ role: 'user', content: 'Look: {{image:receipt}}\n{{question}}' }], params: { temperature: 0 } });

  const starts = vi.spyOn(t.core.runs, 'start');
  const waits = vi.spyOn(t.core.runs, 'wait');
  const ev = await t.call('evals.create', {
    name: 'receipts',
    promptVersionIds: [versionId],
    targets: [{ kind: 'remote', targetId: target.id, model: 'm' }],
    testSetId: imported.testSet.id,
    assertions: [{ type: 'equals' }],
    concurrency: { remote: 1 },
  });
  expect(ev.imageVariables).toEqual(['receipt']);
  await t.call('evals.start', { evalId: ev.id });
  const done = await t.evals.wait(ev.id);
  expect(done).toMatchObject({ status: 'done', stored: 3, passed: 2, failed: 1, errors: 0 });

  // What the evaluation asked the run path for: one image prompt per row, its image by hash, in row order.
  // (The run path that sends the images is the vision-runs branch; this checks the requests handed to it.)
  const sent = starts.mock.calls.map(([req]) => RunRequest.parse(req));
  expect(sent.map((r) => r.imageVariables)).toEqual(rows.map((r) => ({ receipt: r.variables.receipt })));
  expect(sent.every((r) => r.userMessage.includes('{{image:receipt}}'))).toBe(true);
  expect(sent[1]?.variables.question).toBe('Shop?');
  // The text part reached the server with the row's question.
  expect(JSON.stringify(server.requests[0]?.body)).toContain('Total?');
  // Where the run path sends images (the vision-runs branch), each record names its row's image and the
  // request carried it as a content part; checked on a scratch merge of that branch, and here once merged.
  const records = await Promise.all(waits.mock.results.map((r) => r.value as Promise<RunRecord>));
  if (records.some((r) => r.images?.length)) {
    expect(records.map((r) => r.images?.map((i) => i.hash))).toEqual(rows.map((r) => [r.variables.receipt]));
    expect(JSON.stringify(server.requests[0]?.body)).toContain('"type":"image_url"');
  }

  const res = await t.call('evals.results', { evalId: ev.id });
  expect(res.rows.map((r) => [r.variables.receipt, r.cells[0]?.output, r.cells[0]?.pass])).toEqual([
    [rows[0]?.variables.receipt, '12', true],
    [rows[1]?.variables.receipt, 'Ada', true],
    [rows[2]?.variables.receipt, 'tomorrow', false],
  ]);
});

it('a row without an image for {{image:name}} is refused at create, naming the row', async () => {
  const t = openEvalCore();
  open.push(t);
  const versionId = savePrompt(t.prompts, 'Reader', { messages: [{ role: 'user', content: '{{image:receipt}} {{q}}' }], target: { kind: 'remote', targetId: '01J00000000000000000000000', model: 'm' } });
  await expect(
    t.call('evals.create', { name: 'x', promptVersionIds: [versionId], rows: [{ variables: { q: 'a', receipt: 'r.png' }, label: 'first' }], assertions: [{ type: 'isJson' }] }),
  ).rejects.toThrow('rows: row 1 (first) has no image for {{image:receipt}} for "Reader" v1');
});

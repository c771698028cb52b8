// Image datasets end to end in the core: a generated folder with a sidecar imported through the command a
// transport calls, rows holding image hashes, labeled, exported for vision fine-tuning (every referenced
// image exists and decodes, one <image> token per image), kept by the image GC.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { RowFilter } from '../../shared/datasets.schema';
import { openTestCore, tempDir } from '../testing/testCore';
import { DatasetsRepo } from './datasets.repo';
import { IMAGE_HASHES_SQL } from './imageImport';
import { DatasetsService } from './datasets.service';
import { writeCsvSidecar, writeImageFolder } from './testing/imageFolder';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function setup() {
  const root = tempDir('lamplight-imgds-');
  core = openTestCore({ dataDir: join(root, 'data') });
  const folder = await writeImageFolder(join(root, 'shots'), 5);
  const sidecar = writeCsvSidecar(join(root, 'labels.csv'), folder.files.slice(0, 3));
  const r = await core.invoke('datasets.importImages', { dir: folder.dir, sidecar, name: 'invoices' });
  const profile = await core.invoke('profiles.create', { name: 'Ana' });
  return { c: core, root, folder, r, profile, datasetId: r.dataset.id };
}

describe('image datasets', () => {
  it('imports every image (sidecar lines first, then the rest) and lists the files it passed over', async () => {
    const { c, r, datasetId } = await setup();
    expect(r.imported).toBe(5);
    expect(r.images).toBe(5);
    expect(r.skipped).toEqual([
      { file: 'notes.txt', reason: 'not a PNG, JPEG or WebP image (.txt)' },
      { file: 'sub', reason: 'a folder (subfolders are not read)' },
    ]);
    const page = await c.invoke('datasets.rows', { datasetId });
    expect(page.rows.map((x) => x.line)).toEqual([2, 3, 4, null, null]);
    for (const row of page.rows) expect(row.images).toHaveLength(1);
    expect(new Set(page.rows.map((x) => x.images[0])).size).toBe(5);
    const first = await c.invoke('datasets.row', { datasetId, rowId: page.rows[0]!.id });
    expect(first.record.messages).toEqual([{ role: 'user', content: 'Extract the total and the invoice number.' }]);
    expect(JSON.parse(first.response ?? '')).toEqual({ total: '15.00', number: '1001' });
    const unnamed = await c.invoke('datasets.row', { datasetId, rowId: page.rows[4]!.id });
    expect(unnamed.record.messages[0]?.content).toBe('Describe this image.');
    expect(unnamed.response).toBeNull();
    const info = await c.invoke('datasets.get', { datasetId });
    expect(info.importReport?.images?.files).toBe(5);
    const thumb = await c.invoke('images.thumbnail', { hash: first.images[0]!, size: 64 });
    expect(thumb.dataUrl).toMatch(/^data:image\/(jpeg|png);base64,/);
  });

  it('reads a JSONL sidecar with several images a row', async () => {
    const root = tempDir('lamplight-imgds-');
    core = openTestCore({ dataDir: join(root, 'data') });
    const folder = await writeImageFolder(join(root, 'shots'), 3);
    const sidecar = join(root, 'pairs.jsonl');
    writeFileSync(sidecar, `${JSON.stringify({ images: ['img-01.png', 'img-02.jpg'], prompt: 'Compare them.', answer: 'Two invoices.' })}\n`);
    const r = await core.invoke('datasets.importImages', { dir: folder.dir, sidecar, name: 'pairs' });
    expect(r.imported).toBe(2);
    const page = await core.invoke('datasets.rows', { datasetId: r.dataset.id });
    expect(page.rows[0]?.images).toHaveLength(2);
    expect(page.rows[0]?.response).toBe('Two invoices.');
    expect(page.rows[1]?.images).toHaveLength(1);
  });

  it('exports accepted rows for LLaMA-Factory and as OpenAI-style image parts, with every image copied beside the data', async () => {
    const { c, root, datasetId, profile } = await setup();
    const page = await c.invoke('datasets.rows', { datasetId });
    const [a, b, d] = page.rows;
    await c.invoke('datasets.label', { datasetId, rowId: a!.id, labelerId: profile.id, patch: { status: 'accepted' } });
    await c.invoke('datasets.label', { datasetId, rowId: b!.id, labelerId: profile.id, patch: { status: 'rejected' } });
    await c.invoke('datasets.label', { datasetId, rowId: d!.id, labelerId: profile.id, patch: { status: 'accepted', response: '{"total":"35.00","number":"1003"}' } });
    const out = join(root, 'export');
    mkdirSync(out);
    const lf = await c.invoke('datasets.export', { datasetId, format: 'llamafactory-vision', path: join(out, 'invoices.json'), name: 'invoices_vl' });
    expect(lf.rows).toBe(2);
    expect(lf.images).toBe(2);
    const rows = JSON.parse(readFileSync(join(out, 'invoices.json'), 'utf8')) as { messages: { role: string; content: string }[]; images: string[] }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const user = row.messages.find((m) => m.role === 'user')?.content ?? '';
      expect(user.match(/<image>/g)?.length).toBe(row.images.length);
      expect(row.messages.at(-1)?.role).toBe('assistant');
      for (const rel of row.images) {
        expect(rel).toMatch(/^images\/[0-9a-f]{64}\.(png|jpg|webp)$/);
        const meta = await sharp(join(out, rel)).metadata();
        expect(meta.width).toBe(160);
      }
    }
    expect(rows[1]?.messages.at(-1)?.content).toBe('{"total":"35.00","number":"1003"}');
    const info = JSON.parse(readFileSync(join(out, 'dataset_info.json'), 'utf8')) as Record<string, unknown>;
    expect(info.invoices_vl).toEqual({
      file_name: 'invoices.json',
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images' },
      tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' },
    });

    const oa = await c.invoke('datasets.export', { datasetId, format: 'messages-vision', path: join(out, 'invoices.jsonl') });
    expect(oa.rows).toBe(2);
    const lines = readFileSync(join(out, 'invoices.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: unknown }[] });
    const parts = lines[0]?.messages[0]?.content as { type: string; image?: string; text?: string }[];
    expect(parts[0]?.type).toBe('image');
    expect(existsSync(join(out, parts[0]?.image ?? 'missing'))).toBe(true);
    expect(parts[1]).toEqual({ type: 'text', text: 'Extract the total and the invoice number.' });
  });

  it('personal data in the text is masked or the row dropped as for text exports; the images stay', async () => {
    const root = tempDir('lamplight-imgds-');
    core = openTestCore({ dataDir: join(root, 'data') });
    const folder = await writeImageFolder(join(root, 'shots'), 2);
    const sidecar = join(root, 'pii.jsonl');
    writeFileSync(sidecar, [{ file: 'img-01.png', answer: 'Call 13812345678 about it.' }, { file: 'img-02.jpg', answer: 'Nothing personal.' }].map((o) => JSON.stringify(o)).join('\n'));
    const { dataset } = await core.invoke('datasets.importImages', { dir: folder.dir, sidecar, name: 'pii' });
    const all = RowFilter.parse({});
    const out = join(root, 'out');
    mkdirSync(out);
    const masked = await core.invoke('datasets.export', { datasetId: dataset.id, format: 'llamafactory-vision', path: join(out, 'masked.json'), filter: all, pii: 'mask' });
    expect(masked.rows).toBe(2);
    const rows = JSON.parse(readFileSync(join(out, 'masked.json'), 'utf8')) as { messages: { content: string }[]; images: string[] }[];
    expect(rows[0]?.messages.at(-1)?.content).not.toContain('13812345678');
    expect(rows[0]?.images).toHaveLength(1);
    const dropped = await core.invoke('datasets.export', { datasetId: dataset.id, format: 'messages-vision', path: join(out, 'dropped.jsonl'), filter: all, pii: 'drop' });
    expect(dropped).toMatchObject({ rows: 1, images: 1, skipped: { pii: 1 } });
  });

  it('drafts send each image row\'s images with the prompt (a vision target reads them)', async () => {
    const { c, datasetId } = await setup();
    const sent: { vars: Record<string, string>; images: string[] | undefined }[] = [];
    // The real repo under a service whose run step records what it was asked to send.
    const svc = new DatasetsService({
      repo: new DatasetsRepo(c.db),
      tokenCounter: () => null,
      runPromptVersion: (_v, _t, vars, _p, _s, images) => {
        sent.push({ vars, images });
        return Promise.resolve(`{"total":"${sent.length}"}`);
      },
      answer: () => Promise.reject(new Error('not used')),
    });
    const rows = (await c.invoke('datasets.rows', { datasetId })).rows;
    const { jobId } = svc.draft(datasetId, { promptVersionId: '01J00000000000000000000000', target: { kind: 'remote', targetId: '01J00000000000000000000001', model: 'qwen2-vl' }, rowIds: rows.slice(0, 2).map((r) => r.id), filter: RowFilter.parse({}), overwrite: false, params: {} });
    await svc.idle();
    expect(svc.jobList(datasetId).find((j) => j.jobId === jobId)?.state).toBe('done');
    expect(sent.map((x) => x.images)).toEqual([rows[0]?.images, rows[1]?.images]);
    expect((await c.invoke('datasets.row', { datasetId, rowId: rows[1]!.id })).draft).toBe('{"total":"2"}');
    await svc.close();
  });

  it('keeps the images a dataset refers to through garbage collection, and lets them go with the dataset', async () => {
    const { c, datasetId } = await setup();
    const hashes = (await c.invoke('datasets.rows', { datasetId })).rows.flatMap((r) => r.images);
    expect((await c.images.gc({ graceMs: -1 })).removed).toBe(0);
    for (const h of hashes) expect(existsSync(c.images.filePath(h))).toBe(true);
    const plan = c.db.prepare(`EXPLAIN QUERY PLAN ${IMAGE_HASHES_SQL}`).all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(/dataset_rows_with_images/);
    await c.invoke('datasets.remove', { datasetId });
    await c.datasets.idle();
    expect((await c.images.gc({ graceMs: -1 })).removed).toBe(5);
  });
});

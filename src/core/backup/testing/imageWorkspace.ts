// A workspace holding images the way a user stores them: a local vision run on the real llama-server with
// the generated Qwen2-VL fixture, an image dataset imported from a folder with a sidecar (one row accepted),
// a test set with an image column, and one image nothing refers to (the collector's to take).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Core } from '../../createCore';
import { writeCsvSidecar, writeImageFolder } from '../../datasets/testing/imageFolder';
import { ensureVisionFixture } from '../../fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../../testing/testCore';
import { gradientPng } from '../../testsets/imageFixtures';

export interface ImageRow {
  hash: string;
  name: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ImageWorkspace {
  core: Core;
  dataDir: string;
  runId: string;
  runImage: string;
  datasetId: string;
  testSetId: string;
  testSetImages: string[];
  /** Stored, referred to by nothing. */
  loose: string;
  rows: ImageRow[];
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function imageRows(core: Core): ImageRow[] {
  return core.db.prepare('SELECT hash, name, mime, width, height, bytes FROM images ORDER BY hash').all() as ImageRow[];
}

/** `withRun: false` skips the vision run (no llama-server), for tests about the files alone. */
export async function makeImageWorkspace(opts: { withRun?: boolean } = {}): Promise<ImageWorkspace> {
  const root = tempDir('lamplight-bkimg-');
  const dataDir = join(root, 'data');
  const core = openTestCore({ dataDir });

  let runId = '';
  const square = join(root, 'square.png');
  writeFileSync(square, await sharp({ create: { width: 112, height: 84, channels: 3, background: { r: 200, g: 30, b: 60 } } }).png().toBuffer());
  const runImage = (await core.invoke('images.add', { path: square })).hash;
  if (opts.withRun !== false) {
    const fx = await ensureVisionFixture();
    const m = await core.invoke('models.add', { path: fx.model });
    await core.invoke('vision.load', { modelId: m.id, projectorPath: fx.projector, settings: { threads: 2, contextSize: 2048 } });
    try {
      ({ runId } = await core.invoke('runs.start', {
        target: { kind: 'local', modelId: m.id },
        userMessage: 'Describe',
        images: [{ hash: runImage, name: 'square.png' }],
        params: { temperature: 0, maxTokens: 4 },
      }));
      const run = await core.runs.wait(runId);
      if (run.error) throw new Error(`the image run failed: ${run.error}`);
    } finally {
      await core.invoke('vision.unload', {});
    }
  }

  const folder = await writeImageFolder(join(root, 'shots'), 3);
  const sidecar = writeCsvSidecar(join(root, 'labels.csv'), folder.files);
  const imported = await core.invoke('datasets.importImages', { dir: folder.dir, sidecar, name: 'invoices' });
  const datasetId = imported.dataset.id;
  const labeler = await core.invoke('profiles.create', { name: 'Ana' });
  const first = (await core.invoke('datasets.rows', { datasetId })).rows[0];
  if (!first) throw new Error('the image dataset has no rows');
  await core.invoke('datasets.label', { datasetId, rowId: first.id, labelerId: labeler.id, patch: { status: 'accepted' } });

  const setDir = join(root, 'receipts');
  mkdirSync(join(setDir, 'imgs'), { recursive: true });
  writeFileSync(join(setDir, 'imgs', 'a.png'), await gradientPng(40, 30, 1));
  writeFileSync(join(setDir, 'imgs', 'b.png'), await gradientPng(30, 40, 2));
  const csv = join(setDir, 'receipts.csv');
  writeFileSync(csv, 'photo,question,answer\nimgs/a.png,Total?,12\nimgs/b.png,Shop?,Ada\n');
  const mapping = { variables: { photo: 'receipt', question: 'question' }, expected: 'answer', label: null, images: ['receipt'] };
  const set = await core.invoke('testsets.import', { path: csv, name: 'Receipts', mapping });
  const testSetImages = (await core.invoke('testsets.rows', { testSetId: set.testSet.id })).rows.map((r) => r.variables.receipt as string);

  const loose = (await core.invoke('images.addData', { name: 'draft.png', dataBase64: (await gradientPng(24, 24, 9)).toString('base64') })).hash;
  await core.datasets.idle();
  return { core, dataDir, runId, runImage, datasetId, testSetId: set.testSet.id, testSetImages, loose, rows: imageRows(core) };
}

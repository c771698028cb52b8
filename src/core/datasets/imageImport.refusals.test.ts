// Bad input to an image-folder import: a corrupt image, an oversize image, a sidecar naming a missing file,
// a sidecar with a bad line. Each fails with a message naming the file (and the line), no dataset appears,
// and a dataset imported before is exactly as it was.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { pngClaiming } from '../images/testing/sampleImages';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { writeCsvSidecar, writeImageFolder } from './testing/imageFolder';

let core: Core;
let root: string;
let keptId: string;
beforeAll(async () => {
  root = tempDir('lamplight-imgbad-');
  core = openTestCore({ dataDir: join(root, 'data') });
  const folder = await writeImageFolder(join(root, 'good'), 3);
  keptId = (await core.invoke('datasets.importImages', { dir: folder.dir, sidecar: writeCsvSidecar(join(root, 'good.csv'), folder.files), name: 'kept' })).dataset.id;
});
afterAll(async () => {
  await core?.close();
});

/** The datasets and the kept dataset's rows: what a refused import must leave as it was. */
async function snapshot() {
  const list = (await core.invoke('datasets.list', {})).map((d) => ({ id: d.id, name: d.name, rows: d.rowCount }));
  const rows = (await core.invoke('datasets.rows', { datasetId: keptId })).rows.map((r) => ({ id: r.id, images: r.images, response: r.response }));
  return { list, rows };
}

async function refused(name: string, make: (dir: string) => Promise<{ sidecar?: string }>) {
  const folder = await writeImageFolder(join(root, name), 3);
  const { sidecar } = await make(folder.dir);
  const before = await snapshot();
  const f = await failureOf(core.invoke('datasets.importImages', { dir: folder.dir, sidecar: sidecar ?? null, name }));
  await core.datasets.idle();
  expect(await snapshot()).toEqual(before);
  expect(f.code).toBe('BAD_INPUT');
  return f.message;
}

describe('image folder import refusals', () => {
  it('a corrupt image: names the file and the reason; nothing imported', async () => {
    const msg = await refused('corrupt', async (dir) => {
      writeFileSync(join(dir, 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)]));
      return {};
    });
    expect(msg).toMatch(/^1 of 4 images in .* could not be imported, nothing imported: broken\.png: /);
  });

  it('an oversize image (more pixels than accepted): names the file and its size', async () => {
    const msg = await refused('oversize', async (dir) => {
      writeFileSync(join(dir, 'huge.png'), pngClaiming(20_000, 20_000));
      return {};
    });
    expect(msg).toMatch(/huge\.png: the image is 20000×20000 \(400,000,000 pixels\); at most 100,000,000 pixels are accepted/);
  });

  it('a sidecar naming a file that is not in the folder: names the sidecar line and the file', async () => {
    const msg = await refused('missing', async (dir) => ({ sidecar: writeCsvSidecar(join(dir, 'labels.csv'), ['img-01.png', 'img-09.png', 'img-03.webp']) }));
    expect(msg).toBe('1 bad sidecar line, nothing imported: sidecar labels.csv line 3, field "file": names "img-09.png", which is not in the folder');
  });

  it('a sidecar with a bad line (broken JSON, no file name): names each line', async () => {
    const msg = await refused('badline', async (dir) => {
      const path = join(dir, 'labels.jsonl');
      writeFileSync(path, ['{"file":"img-01.png","answer":"ok"}', '{"file": "img-02.jpg",', '{"answer":"no file"}', '{"file":"../etc/passwd"}'].join('\n') + '\n');
      return { sidecar: path };
    });
    expect(msg).toMatch(/^3 bad sidecar lines, nothing imported: sidecar labels\.jsonl line 2: .*; sidecar labels\.jsonl line 3: no file name .*; sidecar labels\.jsonl line 4, field "file": "\.\.\/etc\/passwd" points outside the folder/);
  });

  it('a folder that does not exist, or holds no images', async () => {
    const f = await failureOf(core.invoke('datasets.importImages', { dir: join(root, 'nowhere'), name: 'x' }));
    expect(f.message).toMatch(/^dir: cannot read the folder .*nowhere/);
    const empty = tempDir('lamplight-imgempty-');
    writeFileSync(join(empty, 'a.txt'), 'x');
    const g = await failureOf(core.invoke('datasets.importImages', { dir: empty, name: 'x' }));
    expect(g.message).toMatch(/has no PNG, JPEG or WebP images/);
  });
});

// A training package from an image dataset: the LLaMA-Factory config for a VL base model (qwen2_vl template,
// vision tower and projector frozen), the multimodal data with its images inside the package, and a clear
// refusal for a text-only base model.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { writeCsvSidecar, writeImageFolder } from '../datasets/testing/imageFolder';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';
import { LLAMA_FACTORY_CHECKED } from './packageFiles';
import { configProblems, datasetProblems } from './testing/llamaFactoryReader';

let fx: Awaited<ReturnType<typeof ensureFixtureModels<'tinyQ8_0'>>>;
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0']);
});

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function setup() {
  const root = tempDir('lamplight-vltrain-');
  core = openTestCore({ dataDir: join(root, 'data') });
  const c = core;
  const folder = await writeImageFolder(join(root, 'shots'), 4);
  const r = await c.invoke('datasets.importImages', { dir: folder.dir, sidecar: writeCsvSidecar(join(root, 'labels.csv'), folder.files), name: 'invoice shots' });
  const profile = await c.invoke('profiles.create', { name: 'Ana' });
  for (const row of (await c.invoke('datasets.rows', { datasetId: r.dataset.id })).rows.slice(0, 3)) {
    await c.invoke('datasets.label', { datasetId: r.dataset.id, rowId: row.id, labelerId: profile.id, patch: { status: 'accepted' } });
  }
  const model = await c.invoke('models.add', { path: fx.tinyQ8_0 });
  return { c, root, datasetId: r.dataset.id, model };
}

describe('training.package with an image dataset', () => {
  it('writes a qwen2_vl config with the vision tower frozen and the images in the package', async () => {
    const { c, root, datasetId, model } = await setup();
    const outDir = join(root, 'pkg');
    const t = await c.invoke('training.package', { datasetId, baseModelId: model.id, trainBaseModel: 'Qwen/Qwen2-VL-2B-Instruct', split: 'all', outDir });
    expect(t.files).toContain('data/images');
    const yaml = readFileSync(join(outDir, 'llamafactory/train_lora.yaml'), 'utf8');
    expect(yaml).toMatch(/^template: qwen2_vl$/m);
    expect(yaml).toMatch(/^freeze_vision_tower: true$/m);
    expect(yaml).toMatch(/^freeze_multi_modal_projector: true$/m);
    expect(yaml).toMatch(/^media_dir: data$/m);
    // Every key, value and template as LLaMA-Factory (at the checked commit) parses them.
    expect(configProblems(yaml, { minVersion: LLAMA_FACTORY_CHECKED.minVersion, vision: true })).toEqual([]);
    const rows = JSON.parse(readFileSync(join(outDir, 'data/invoice_shots.json'), 'utf8')) as { messages: { content: string }[]; images: string[] }[];
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.messages[0]?.content.startsWith('<image>')).toBe(true);
      for (const rel of row.images) expect(existsSync(join(outDir, 'data', rel))).toBe(true);
    }
    expect(readdirSync(join(outDir, 'data/images'))).toHaveLength(3);
    const info = JSON.parse(readFileSync(join(outDir, 'data/dataset_info.json'), 'utf8')) as Record<string, { columns: Record<string, string> }>;
    expect(info.invoice_shots?.columns.images).toBe('images');
    // The rows as LLaMA-Factory's reader takes them, each image found under media_dir (data/).
    expect(datasetProblems(info.invoice_shots ?? {}, rows, join(outDir, 'data'))).toEqual([]);
    // The OpenAI-style file names the same images, relative to data/ as well.
    const lines = readFileSync(join(outDir, 'data/invoice_shots.messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { content: unknown }[] });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const parts = line.messages[0]?.content as { type: string; image?: string }[];
      const images = parts.filter((p) => p.type === 'image');
      expect(images).toHaveLength(1);
      for (const p of images) expect(existsSync(join(outDir, 'data', p.image ?? 'missing'))).toBe(true);
    }
    // The same rows for QwenLM's qwen-vl-finetune: image paths relative to data/ (its data_path).
    expect(t.files).toContain('data/invoice_shots.qwenvl.json');
    const qwen = JSON.parse(readFileSync(join(outDir, 'data/invoice_shots.qwenvl.json'), 'utf8')) as { image: string; conversations: { from: string; value: string }[] }[];
    expect(qwen).toHaveLength(3);
    for (const row of qwen) {
      expect(existsSync(join(outDir, 'data', row.image))).toBe(true);
      expect(row.conversations.map((c) => c.from)).toEqual(['human', 'gpt']);
      expect(row.conversations[0]?.value.startsWith('<image>\n')).toBe(true);
    }
    expect(readFileSync(join(outDir, 'peft/train.py'), 'utf8')).toMatch(/train it with LLaMA-Factory/);
    expect(readFileSync(join(outDir, 'README.md'), 'utf8')).toMatch(/qwen-vl-finetune/);
    expect(readFileSync(join(outDir, 'README.md'), 'utf8')).toMatch(/This is an image dataset/);
  });

  it('refuses a text-only base model for an image dataset and leaves the folder empty', async () => {
    const { c, root, datasetId, model } = await setup();
    const outDir = join(root, 'pkg2');
    const f = await failureOf(c.invoke('training.package', { datasetId, baseModelId: model.id, trainBaseModel: 'meta-llama/Llama-3.2-1B-Instruct', split: 'all', outDir }));
    expect(f.code).toBe('BAD_INPUT');
    expect(f.message).toMatch(/holds images.*not a vision-language model/);
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });
});

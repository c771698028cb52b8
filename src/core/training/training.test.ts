// Training end to end on the real core: a dataset imported, labeled and split, packaged for LLaMA-Factory and
// PEFT; a run of a fake trainer command whose progress is parsed and whose adapter is registered for real.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingProgress } from '../../shared/training.schema';
import type { Core } from '../createCore';
import { messagesLine, writeMessagesFile } from '../datasets/testing/files';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../testing/testCore';
import { fakeTrainerCommand, type FakeTrainerMode } from './testing/fakeTrainer';
import { INTERRUPTED } from './training.service';

let fx: Awaited<ReturnType<typeof ensureFixtureModels<'tinyQ8_0' | 'tinyLora'>>>;
beforeAll(async () => {
  fx = await ensureFixtureModels(undefined, ['tinyQ8_0', 'tinyLora']);
});

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const HP = { method: 'qlora' as const, r: 8, alpha: 16, dropout: 0.1, targetModules: ['q_proj', 'k_proj', 'v_proj'], learningRate: 1e-4, epochs: 2, batchSize: 2, gradientAccumulation: 8, maxLength: 1024, precision: 'fp16' as const, seed: 7 };

/** 20 rows; rows 0–11 accepted, 12–14 rejected, then an 80/10/10 split of the accepted ones. */
async function setup(dataDir = tempDir('lamplight-train-')) {
  core = openTestCore({ dataDir });
  const c = core;
  const path = writeMessagesFile(dataDir, 20);
  const { dataset } = await c.invoke('datasets.import', { path, name: 'support chats' });
  const profile = await c.invoke('profiles.create', { name: 'Ana' });
  const rows = (await c.invoke('datasets.rows', { datasetId: dataset.id, limit: 20 })).rows;
  for (const r of rows.slice(0, 15)) {
    await c.invoke('datasets.label', { datasetId: dataset.id, rowId: r.id, labelerId: profile.id, patch: { status: r.ord < 12 ? 'accepted' : 'rejected' } });
  }
  const split = await c.invoke('datasets.split', { datasetId: dataset.id, seed: 1 });
  const model = await c.invoke('models.add', { path: fx.tinyQ8_0 });
  await c.models.idle();
  return { c, dataDir, datasetId: dataset.id, model: c.models.get(model.id), split };
}

/** `key: value` lines of the generated YAML (comments and section headers left out). */
function yamlKeys(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_]+):\s*(.*)$/.exec(line);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

describe('training.package', () => {
  it('writes the data, both trainers, the conversion step, a README and the provenance', async () => {
    const { c, dataDir, datasetId, model, split } = await setup();
    const outDir = join(dataDir, 'pkg');
    const t = await c.invoke('training.package', { datasetId, baseModelId: model.id, trainBaseModel: 'meta-llama/Llama-3.2-1B-Instruct', hyperparameters: HP, outDir });
    expect(t).toMatchObject({ dir: outDir, datasetId, baseModelId: model.id, state: 'packaged', hyperparameters: HP, adapterId: null, logTail: [] });
    for (const f of t.files) expect(existsSync(join(outDir, f)), f).toBe(true);
    expect(t.files).toEqual(expect.arrayContaining(['data/support_chats.json', 'data/dataset_info.json', 'data/support_chats.messages.jsonl', 'llamafactory/train_lora.yaml', 'peft/train.py', 'peft/requirements.txt', 'scripts/convert.sh', 'scripts/train-llamafactory.sh', 'scripts/train-peft.sh', 'README.md', 'lamplight-training.json']));
    expect(statSync(join(outDir, 'scripts/convert.sh')).mode & 0o111).not.toBe(0);

    // The train split only: the split's train rows, in LLaMA-Factory's ShareGPT layout and as messages JSONL.
    const data = JSON.parse(readFileSync(join(outDir, 'data/support_chats.json'), 'utf8')) as { conversations: { from: string; value: string }[] }[];
    expect(data).toHaveLength(split.train);
    expect(data[0]?.conversations.map((m) => m.from)).toEqual(['human', 'gpt']);
    expect(readFileSync(join(outDir, 'data/support_chats.messages.jsonl'), 'utf8').trim().split('\n')).toHaveLength(split.train);
    const info = JSON.parse(readFileSync(join(outDir, 'data/dataset_info.json'), 'utf8')) as Record<string, { file_name: string }>;
    expect(info.support_chats?.file_name).toBe('support_chats.json');

    const y = yamlKeys(readFileSync(join(outDir, 'llamafactory/train_lora.yaml'), 'utf8'));
    expect(y).toMatchObject({
      model_name_or_path: '"meta-llama/Llama-3.2-1B-Instruct"',
      stage: 'sft',
      do_train: 'true',
      finetuning_type: 'lora',
      quantization_bit: '4',
      lora_rank: '8',
      lora_alpha: '16',
      lora_dropout: '0.1',
      lora_target: 'q_proj,k_proj,v_proj',
      dataset: 'support_chats',
      dataset_dir: 'data',
      template: 'llama3',
      cutoff_len: '1024',
      per_device_train_batch_size: '2',
      gradient_accumulation_steps: '8',
      learning_rate: '0.0001',
      num_train_epochs: '2.0',
      fp16: 'true',
      seed: '7',
      output_dir: 'adapter/hf',
    });
    expect(y.bf16).toBeUndefined();

    const py = readFileSync(join(outDir, 'peft/train.py'), 'utf8');
    expect(py).toContain('BASE_MODEL = "meta-llama/Llama-3.2-1B-Instruct"');
    expect(py).toContain('DATA_FILE = "data/support_chats.messages.jsonl"');
    expect(py).toContain('TARGET_MODULES = ["q_proj","k_proj","v_proj"]');
    expect(py).toMatch(/^LORA_R = 8$/m);
    expect(py).toMatch(/^LORA_ALPHA = 16$/m);
    expect(py).toMatch(/^LORA_DROPOUT = 0.1$/m);
    expect(py).toContain('LEARNING_RATE = 0.0001');
    expect(py).toContain('BitsAndBytesConfig(');
    expect(py).toContain('trainer.save_model(OUTPUT_DIR)');
    expect(readFileSync(join(outDir, 'peft/requirements.txt'), 'utf8')).toMatch(/^bitsandbytes>=/m);
    const convert = readFileSync(join(outDir, 'scripts/convert.sh'), 'utf8');
    expect(convert).toContain('LLAMA_CPP_DIR');
    expect(convert).toMatch(/convert_lora_to_gguf\.py" --base "\$BASE_DIR" --outfile adapter\/adapter\.gguf adapter\/hf/);
    const readme = readFileSync(join(outDir, 'README.md'), 'utf8');
    expect(readme).toContain('llamafactory-cli train llamafactory/train_lora.yaml');
    expect(readme).toContain('bash scripts/convert.sh');
    expect(readme).toContain(model.fileName);

    const prov = JSON.parse(readFileSync(join(outDir, 'lamplight-training.json'), 'utf8')) as Record<string, unknown>;
    const ds = await c.invoke('datasets.get', { datasetId });
    expect(prov).toEqual({
      trainingId: t.id,
      datasetId,
      datasetName: 'support chats',
      datasetVersion: { rows: split.train, updatedAt: ds.updatedAt, sha256: createHash('sha256').update(readFileSync(join(outDir, 'data/support_chats.json'))).digest('hex') },
      baseModelId: model.id,
      baseModelSha256: model.sha256,
      trainBaseModel: 'meta-llama/Llama-3.2-1B-Instruct',
      hyperparameters: HP,
      trainedAt: null,
    });
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await c.invoke('training.list', {})).toEqual([t]);
    expect(await c.invoke('training.get', { trainingId: t.id })).toEqual(t);
  });

  it("uses every accepted row when asked for 'all', with the defaults (lora, bf16, template 'default')", async () => {
    const { c, dataDir, datasetId, model } = await setup();
    const outDir = join(dataDir, 'all');
    const t = await c.invoke('training.package', { datasetId, baseModelId: model.id, trainBaseModel: '/models/my-base', split: 'all', outDir });
    expect(JSON.parse(readFileSync(join(outDir, 'data/support_chats.json'), 'utf8'))).toHaveLength(12);
    const y = yamlKeys(readFileSync(join(outDir, 'llamafactory/train_lora.yaml'), 'utf8'));
    expect(y).toMatchObject({ lora_rank: '16', lora_alpha: '32', lora_target: 'q_proj,v_proj', bf16: 'true', template: 'default', num_train_epochs: '3.0' });
    expect(y.quantization_bit).toBeUndefined();
    expect(readFileSync(join(outDir, 'peft/train.py'), 'utf8')).not.toContain('BitsAndBytesConfig');
    expect(t.hyperparameters.method).toBe('lora');
  });

  it('packages SFT data even when the first accepted row also holds a chosen/rejected pair', async () => {
    const { c, dataDir, datasetId, model } = await setup();
    const first = (await c.invoke('datasets.rows', { datasetId, filter: { status: 'accepted' }, limit: 1 })).rows[0];
    const labeler = (await c.invoke('profiles.list', {}))[0]?.id as string;
    await c.invoke('datasets.label', { datasetId, rowId: first?.id as number, labelerId: labeler, patch: { chosen: 'the better answer', rejected: 'the worse one' } });
    const outDir = join(dataDir, 'pairs');
    await c.invoke('training.package', { datasetId, baseModelId: model.id, trainBaseModel: '/models/my-base', split: 'all', outDir });
    const info = JSON.parse(readFileSync(join(outDir, 'data/dataset_info.json'), 'utf8')) as Record<string, { ranking?: boolean }>;
    expect(Object.values(info).map((e) => e.ranking)).toEqual([undefined]);
    const data = JSON.parse(readFileSync(join(outDir, 'data/support_chats.json'), 'utf8')) as { conversations: { from: string; value: string }[] }[];
    expect(data).toHaveLength(12);
    expect(data[0]?.conversations.at(-1)).toEqual({ from: 'gpt', value: 'Answer number 0 explains topic 0' });
  });

  it('refuses a dataset with nothing to train on and a folder that is not empty, writing nothing', async () => {
    const dataDir = tempDir('lamplight-train-');
    core = openTestCore({ dataDir });
    const c = core;
    const path = join(dataDir, 'new.jsonl');
    writeFileSync(path, `${messagesLine('hi', 'hello')}\n${messagesLine('bye', 'see you')}\n`);
    const { dataset } = await c.invoke('datasets.import', { path, name: 'unlabeled' });
    const model = await c.invoke('models.add', { path: fx.tinyQ8_0 });
    const outDir = join(dataDir, 'empty-pkg');
    await expect(c.invoke('training.package', { datasetId: dataset.id, baseModelId: model.id, trainBaseModel: 'org/base', outDir })).rejects.toThrow(
      /dataset "unlabeled" has no rows to train on \(accepted rows: 0\)/,
    );
    expect(existsSync(outDir)).toBe(false);

    const busy = join(dataDir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const profile = await c.invoke('profiles.create', { name: 'Bo' });
    const rows = (await c.invoke('datasets.rows', { datasetId: dataset.id })).rows;
    await c.invoke('datasets.label', { datasetId: dataset.id, rowId: rows[0]!.id, labelerId: profile.id, patch: { status: 'accepted' } });
    await expect(c.invoke('training.package', { datasetId: dataset.id, baseModelId: model.id, trainBaseModel: 'org/base', outDir: busy })).rejects.toThrow(
      new RegExp(`outDir: ${busy.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not empty`),
    );
    expect(await c.invoke('training.list', {})).toEqual([]);
  });
});

describe('training runs', () => {
  async function packaged(mode: FakeTrainerMode) {
    const s = await setup();
    const outDir = join(s.dataDir, 'pkg');
    const t = await s.c.invoke('training.package', { datasetId: s.datasetId, baseModelId: s.model.id, trainBaseModel: 'org/base', outDir, hyperparameters: HP });
    const events: TrainingProgress[] = [];
    s.c.on('training.progress', (p) => events.push(p));
    return { ...s, t, outDir, events, command: fakeTrainerCommand(s.dataDir, fx.tinyLora, mode) };
  }

  it('streams progress, parses steps and loss, and registers the adapter with its provenance', async () => {
    const { c, t, outDir, events, command, datasetId } = await packaged('ok');
    const started = await c.invoke('training.start', { trainingId: t.id, command });
    expect(started).toMatchObject({ state: 'running', command, step: null, logTail: [] });
    await c.training.settled(t.id);
    const done = await c.invoke('training.get', { trainingId: t.id });
    expect(done).toMatchObject({ state: 'done', step: 4, totalSteps: 4, epoch: 2, loss: 1, error: null });
    expect(done.finishedAt).not.toBeNull();
    expect(done.logTail).toContain('done');
    // The tqdm bar redraws over itself: only its last state stays in the log.
    expect(done.logTail.filter((l) => /\d\/4 \[/.test(l))).toHaveLength(1);

    const steps = events.filter((e) => e.state === 'running' && e.step !== null).map((e) => e.step);
    expect(steps.length).toBeGreaterThan(1);
    expect(steps).toEqual([...steps].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(events.flatMap((e) => e.lines)).toContain("{'loss': 1.75, 'grad_norm': 0.5, 'learning_rate': 0.0002, 'epoch': 0.5}");
    expect(events.some((e) => e.state === 'converting')).toBe(true);
    const last = events.at(-1);
    expect(last).toMatchObject({ trainingId: t.id, state: 'done', lines: [], adapterId: done.adapterId });

    const adapter = c.adapters.get(done.adapterId as string);
    expect(adapter.path).toBe(join(outDir, 'adapter/adapter.gguf'));
    expect(adapter.metadata.adapterType).toBe('lora');
    expect(adapter.provenance).toMatchObject({ trainingId: t.id, datasetId, datasetName: 'support chats', trainBaseModel: 'org/base', hyperparameters: HP });
    expect(adapter.provenance?.trainedAt).toBeGreaterThanOrEqual(done.createdAt);
  });

  it('cancel stops the whole process group', async () => {
    const { c, t, outDir, command } = await packaged('slow');
    await c.invoke('training.start', { trainingId: t.id, command });
    await expect(c.invoke('training.start', { trainingId: t.id, command })).rejects.toThrow(/already running/);
    await new Promise<void>((resolve) => {
      const off = c.on('training.progress', (p) => {
        if (p.step !== null && p.step >= 2) {
          off();
          resolve();
        }
      });
    });
    const pid = Number(readFileSync(join(outDir, 'trainer.pid'), 'utf8'));
    expect(await c.invoke('training.cancel', { trainingId: t.id })).toEqual({ cancelled: true });
    await c.training.settled(t.id);
    const after = await c.invoke('training.get', { trainingId: t.id });
    expect(after).toMatchObject({ state: 'cancelled', adapterId: null });
    expect(after.step).toBeGreaterThanOrEqual(2);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await c.invoke('training.cancel', { trainingId: t.id })).toEqual({ cancelled: false });
  });

  it('a failing command fails with its last lines; no adapter fails with where it was looked for', async () => {
    const { c, t, dataDir, outDir, command } = await packaged('fail');
    await c.invoke('training.start', { trainingId: t.id, command });
    await c.training.settled(t.id);
    const failed = await c.invoke('training.get', { trainingId: t.id });
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^the command exited with code 3; its last lines:\n/);
    expect(failed.error).toContain('torch.OutOfMemoryError: CUDA out of memory');
    expect(failed.adapterId).toBeNull();

    // The same package again, with a command that "trains" but never converts.
    await c.invoke('training.start', { trainingId: t.id, command: fakeTrainerCommand(dataDir, fx.tinyLora, 'noAdapter') });
    await c.training.settled(t.id);
    const missing = await c.invoke('training.get', { trainingId: t.id });
    expect(missing.state).toBe('failed');
    expect(missing.error).toContain(`left no adapter at ${join(outDir, 'adapter/adapter.gguf')}`);
  });

  it('a run left running by a stopped Lamplight reads as interrupted after a restart', async () => {
    const { c, t, dataDir, command } = await packaged('slow');
    await c.invoke('training.start', { trainingId: t.id, command });
    await c.close();
    core = null;
    core = openTestCore({ dataDir });
    expect(await core.invoke('training.get', { trainingId: t.id })).toMatchObject({ state: 'failed', error: INTERRUPTED });
    // A row some crash left 'running' is settled the same way on the next start.
    core.db.prepare("UPDATE trainings SET state = 'running', error = NULL WHERE id = ?").run(t.id);
    await core.close();
    core = openTestCore({ dataDir });
    expect(await core.invoke('training.get', { trainingId: t.id })).toMatchObject({ state: 'failed', error: INTERRUPTED });
  });
});

// Lamplight's LLaMA-Factory and Qwen-VL output against facts read from their source (testing/llamaFactoryFacts.json):
// LLaMA-Factory ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30 (2026-08-18) — data/README.md, data/dataset_info.json
// (mllm_demo), data/mllm_demo.json, src/llamafactory/data/{parser,converter,mm_plugin,template}.py,
// src/llamafactory/hparams/*.py, src/llamafactory/extras/constants.py, examples/**/*.yaml; QwenLM/Qwen3-VL 96588727
// (qwen-vl-finetune) and QwenLM/Qwen2.5-VL f0af2996 (qwen_vl_utils). The checker is tested on known-bad input too.
import { describe, expect, it } from 'vitest';
import type { DatasetRecord } from '../../shared/datasets.record';
import { Hyperparameters } from '../../shared/training.schema';
import { datasetInfoEntry } from '../datasets/io/exporters';
import { llamaFactoryVisionObject, qwenVlFinetuneRow, visionMessagesObject } from '../datasets/io/imageExporters';
import { guessTemplate, guessVisionTemplate, LLAMA_FACTORY_CHECKED, llamaFactoryYaml, readme, type PackageSettings } from './packageFiles';
import { configProblems, datasetProblems, facts } from './testing/llamaFactoryReader';

function settings(vision: boolean, hp: Partial<Hyperparameters>, model: string): PackageSettings {
  return {
    trainingId: 'T1',
    dataName: 'shots',
    datasetName: 'shots',
    trainBaseModel: model,
    baseModelFile: 'model.gguf',
    hyperparameters: Hyperparameters.parse(hp),
    template: (vision ? guessVisionTemplate(model, null) : null) ?? guessTemplate(model, null),
    rows: 3,
    vision,
  };
}

const rec = (messages: DatasetRecord['messages'], response: string | null): DatasetRecord => ({ messages, response, chosen: null, rejected: null });

describe('LLaMA-Factory config', () => {
  it('names the commit it was checked against, and the facts come from that commit', () => {
    expect(facts._source.commit.startsWith(LLAMA_FACTORY_CHECKED.commit)).toBe(true);
    expect(facts._source.date).toBe(LLAMA_FACTORY_CHECKED.date);
  });

  it.each([
    ['vision, LoRA, bf16', true, { method: 'lora', precision: 'bf16' }, 'Qwen/Qwen2-VL-2B-Instruct'],
    ['vision, QLoRA, fp16, tiny learning rate', true, { method: 'qlora', precision: 'fp16', learningRate: 5e-7, epochs: 0.5 }, 'Qwen/Qwen2.5-VL-7B-Instruct'],
    ['vision, Qwen3-VL, fp32', true, { method: 'lora', precision: 'fp32' }, 'Qwen/Qwen3-VL-4B-Instruct'],
    ['text, QLoRA', false, { method: 'qlora', dropout: 0 }, 'meta-llama/Llama-3.2-1B-Instruct'],
  ] as const)('%s: every key and value is one LLaMA-Factory takes', (_name, vision, hp, model) => {
    const yaml = llamaFactoryYaml(settings(vision, hp, model));
    expect(configProblems(yaml, { minVersion: LLAMA_FACTORY_CHECKED.minVersion, vision })).toEqual([]);
    if (hp.method === 'qlora') expect(yaml).toMatch(/^quantization_method: bnb$/m);
    if (vision) {
      expect(yaml).toMatch(/^freeze_vision_tower: true$/m);
      expect(yaml).toMatch(/^freeze_multi_modal_projector: true$/m);
      expect(yaml).toMatch(/^image_max_pixels: 1003520$/m);
    }
  });

  it('the checker finds what LLaMA-Factory would refuse or misread', () => {
    const bad = ['quantization_method: bitsandbytes', 'image_resolution: 512', 'template: qwen2.5_vl', 'learning_rate: 5e-7', 'freeze_vision: true', 'media_dir: data'].join('\n');
    expect(configProblems(bad, { minVersion: '0.9.1', vision: true })).toEqual([
      'quantization_method: "bitsandbytes" is not one of bnb, gptq, awq, aqlm, quanto, eetq, hqq, mxfp4, fp8',
      'image_resolution: not a LLaMA-Factory or trainer argument',
      'image_resolution: renamed to image_max_pixels in v0.9.2 (commit c09b64893)',
      'template: "qwen2.5_vl" is not registered',
      'template: "qwen2.5_vl" has no image plugin',
      'learning_rate: 5e-7 is a string to a YAML 1.1 reader (write a dot before the exponent)',
      'freeze_vision: not a LLaMA-Factory or trainer argument',
      'media_dir: needs LLaMA-Factory v0.9.2, the config says 0.9.1',
    ]);
  });

  it('guesses the template LLaMA-Factory registers for each vision-language model', () => {
    const table = Object.entries(facts.visionTemplateByModel);
    expect(table.length).toBeGreaterThan(40);
    // MedGemma 27B "text" is registered under gemma3 but has no vision tower: refusing it is right.
    const textOnly = new Set(['google/medgemma-27b-text-it']);
    const wrong = table.filter(([id, t]) => (textOnly.has(id) ? null : t) !== (guessVisionTemplate(id, null)?.name ?? null));
    expect(wrong).toEqual([]);
    for (const id of ['google/gemma-3-1b-it', 'meta-llama/Llama-3.2-1B-Instruct', 'Qwen/Qwen2.5-7B-Instruct', 'mistralai/Mistral-7B-Instruct-v0.3']) {
      expect(guessVisionTemplate(id, null), id).toBeNull();
    }
    // A GGUF's general.name spells the family with spaces.
    expect(guessVisionTemplate('/models/local-folder', 'Qwen2 VL 2B Instruct')?.name).toBe('qwen2_vl');
  });
});

describe('LLaMA-Factory multimodal data', () => {
  const entry = datasetInfoEntry('llamafactory-vision', 'shots.json', { preference: false });
  const rows = [
    llamaFactoryVisionObject(rec([{ role: 'user', content: 'Total?' }], '35.00'), ['images/a.png']),
    llamaFactoryVisionObject(
      rec(
        [
          { role: 'system', content: 'You read invoices. <image>' },
          { role: 'user', content: 'Two pages: <image>' },
          { role: 'assistant', content: 'Seen <image>.' },
          { role: 'user', content: 'And the total?' },
        ],
        'It is 35.00 <image>',
      ),
      ['images/a.png', 'images/b.jpg'],
    ),
    llamaFactoryVisionObject(rec([{ role: 'user', content: 'No picture here.' }], 'Fine.'), []),
  ] as Record<string, unknown>[];

  it('registers the file as mllm_demo is registered (system_tag spelled out at its default)', () => {
    const demo = facts.datasetInfo.mllm_demo;
    expect(entry).toEqual({ ...demo, file_name: 'shots.json', tags: { ...demo.tags, system_tag: facts.datasetAttr.tagDefaults.system_tag } });
  });

  it('writes rows LLaMA-Factory reads whole: roles in turn, one <image> per image over all messages, images on every row', () => {
    expect(datasetProblems(entry, rows)).toEqual([]);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(facts.mllmDemoFirstRow.keys);
    const second = rows[1] as { messages: { content: string }[] };
    expect(second.messages.map((m) => m.content)).toEqual(['You read invoices. ', 'Two pages: ', 'Seen .', '<image><image>And the total?', 'It is 35.00 ']);
  });

  it('the checker finds rows LLaMA-Factory would skip or stop on', () => {
    const bad = [
      { messages: [{ role: 'user', content: '<image>a' }, { role: 'assistant', content: 'b' }], images: ['x.png', 'y.png'] },
      { messages: [{ role: 'assistant', content: 'b' }, { role: 'user', content: 'a' }], images: [] },
      { messages: [{ role: 'user', content: 'a' }] },
    ];
    expect(datasetProblems(entry, bad, '/nonexistent')).toEqual([
      'row 1: 1 <image> tokens for 2 images',
      'row 1: x.png is not in /nonexistent',
      'row 1: y.png is not in /nonexistent',
      'row 2: message 1 has role assistant out of turn (the row is skipped)',
      'row 2: message 2 has role user out of turn (the row is skipped)',
      'row 3: no images column',
      'row 3: odd message count (the row is skipped)',
    ]);
  });

  it('refuses a record whose turns LLaMA-Factory would skip, naming the message', () => {
    expect(() => llamaFactoryVisionObject(rec([{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }], 'c'), [])).toThrow(/message 2 is user, expected assistant/);
    expect(() => visionMessagesObject(rec([{ role: 'system', content: 's' }, { role: 'assistant', content: 'a' }], 'c'), [])).toThrow(/message 2 is assistant, expected user/);
    expect(() => llamaFactoryVisionObject(rec([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }], 'c'), [])).toThrow(/must end with a user turn/);
  });
});

describe('OpenAI-style messages with image parts', () => {
  it('carries image parts in the shape qwen_vl_utils and qwen-vl-finetune use, images before the text', () => {
    const o = visionMessagesObject(rec([{ role: 'system', content: 'S' }, { role: 'user', content: 'Total?' }], '35.00'), ['images/a.png', 'images/b.jpg']) as {
      messages: { role: string; content: unknown }[];
    };
    expect(o.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    const parts = o.messages[1]?.content as Record<string, string>[];
    const q = facts.qwenVl.finetune;
    expect(parts.map((p) => Object.keys(p).sort())).toEqual([...Array(2).fill(Object.keys(q.internalImagePart).sort()), Object.keys(q.internalTextPart).sort()]);
    expect(Object.keys(parts[0] ?? {}).sort()).toEqual([...facts.qwenVl.visionUtils.imagePartKeys].sort());
    expect(parts).toEqual([{ type: 'image', image: 'images/a.png' }, { type: 'image', image: 'images/b.jpg' }, { type: 'text', text: 'Total?' }]);
    expect(o.messages[2]).toEqual({ role: 'assistant', content: '35.00' });
  });
});

describe("QwenLM qwen-vl-finetune rows", () => {
  const q = facts.qwenVl.finetune;
  /** Its data_processor: human turns split at each placeholder, one image taken per placeholder, none left over. */
  function qwenProblems(row: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const k of Object.keys(row)) if (!q.fileKeys.includes(k)) problems.push(`key ${k} is not read`);
    const pool = row.image === undefined ? [] : typeof row.image === 'string' ? [row.image] : (row.image as string[]);
    let used = 0;
    for (const t of row[q.fileKeys[1] as string] as Record<string, string>[]) {
      if (![q.user, q.assistant].includes(t[q.roleKey] as string)) problems.push(`turn from ${t[q.roleKey]} reads as an assistant turn`);
      const tokens = (t[q.contentKey] ?? '').split(q.placeholder).length - 1;
      if (t[q.roleKey] === q.user) used += tokens;
      else if (tokens > 0) problems.push('a placeholder in an answer');
    }
    if (used !== pool.length) problems.push(`${used} placeholders for ${pool.length} images`);
    return problems;
  }

  it('turns the OpenAI-style rows into image + conversations with one placeholder per image', () => {
    const two = visionMessagesObject(
      rec([{ role: 'user', content: 'First <image>' }, { role: 'assistant', content: 'Ok' }, { role: 'user', content: 'Total?' }], '35.00'),
      ['images/a.png', 'images/b.jpg'],
    ) as { messages: { role: string; content: unknown }[] };
    const row = qwenVlFinetuneRow(two);
    expect(row).toEqual({
      image: ['images/a.png', 'images/b.jpg'],
      conversations: [
        { from: 'human', value: 'First ' },
        { from: 'gpt', value: 'Ok' },
        { from: 'human', value: '<image>\n<image>\nTotal?' },
        { from: 'gpt', value: '35.00' },
      ],
    });
    expect(qwenProblems(row as unknown as Record<string, unknown>)).toEqual([]);
    const one = qwenVlFinetuneRow(visionMessagesObject(rec([{ role: 'user', content: 'Total?' }], '1'), ['images/a.png']) as { messages: { role: string; content: unknown }[] });
    expect(one?.image).toBe('images/a.png');
    expect(qwenProblems(one as unknown as Record<string, unknown>)).toEqual([]);
    expect(qwenProblems({ image: 'a.png', conversations: [{ from: 'system', value: 's' }, { from: 'human', value: 'q' }] })).toEqual(['turn from system reads as an assistant turn', '0 placeholders for 1 images']);
  });

  it('has no row for a conversation with a system prompt', () => {
    const o = visionMessagesObject(rec([{ role: 'system', content: 'S' }, { role: 'user', content: 'q' }], 'a'), ['images/a.png']) as { messages: { role: string; content: unknown }[] };
    expect(qwenVlFinetuneRow(o)).toBeNull();
    // The package README then says why the file is missing instead of how to use it.
    const skipped = readme({ ...settings(true, {}, 'Qwen/Qwen2-VL-2B-Instruct'), qwenVlSkipped: 'row 2 has a system prompt' });
    expect(skipped).toContain("No file for Qwen's own fine-tune scripts was written: row 2 has a system prompt.");
    expect(skipped).not.toContain('shots.qwenvl.json');
    expect(readme({ ...settings(true, {}, 'Qwen/Qwen2-VL-2B-Instruct'), qwenVlSkipped: null })).toContain('`data/shots.qwenvl.json` holds the same rows');
  });
});

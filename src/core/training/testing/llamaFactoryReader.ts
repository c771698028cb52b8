// What LLaMA-Factory checks when it reads a training config and a multimodal dataset, restated from the facts
// in llamaFactoryFacts.json (read from its source; see that file's _source for the commit and files). Tests
// run Lamplight's output through these and expect no problems; each rule says where LLaMA-Factory applies it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import facts from './llamaFactoryFacts.json';

export { facts };

/** Every key HfArgumentParser accepts for `llamafactory-cli train` (its own dataclasses + the trainer's). */
export const KNOWN_CONFIG_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(facts.hparams).flat(),
  ...facts.trainingArgumentsKeysInExamples,
  ...facts.transformersKeys.keys,
]);

// Plain YAML 1.1 readers (PyYAML) take 1e-4 for a string; LLaMA-Factory's OmegaConf takes it for a float. The
// config is read by people's tools too, so a number here has a dot before any exponent, as in LLaMA-Factory's examples.
const YAML11_NUMBER = /^[-+]?(\d+|\d+\.\d*([eE][-+]?\d+)?)$/;

/** A flat `key: value` config (what packageFiles writes) as pairs; comments and blank lines skipped. */
export function configPairs(yaml: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of yaml.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/.exec(line);
    out.push(m ? [m[1] as string, (m[2] as string).replace(/\s+#.*$/, '')] : ['(unparsed)', line]);
  }
  return out;
}

const NUMERIC_KEYS = new Set(['lora_rank', 'lora_alpha', 'lora_dropout', 'cutoff_len', 'logging_steps', 'save_steps', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'learning_rate', 'num_train_epochs', 'warmup_ratio', 'seed', 'quantization_bit', 'image_max_pixels', 'image_min_pixels']);

const versionNumber = (v: string) => v.replace(/^v/, '').split('.').map(Number).reduce((a, n) => a * 1000 + n, 0);

/** Why LLaMA-Factory would refuse or misread this config; [] when it would take it. */
export function configProblems(yaml: string, opts: { minVersion: string; vision: boolean }): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const enums = facts.enums as Record<string, string[]>;
  const since = facts.keySince as Record<string, string | null>;
  for (const [key, value] of configPairs(yaml)) {
    // hparams/parser.py: parse_dict(..., allow_extra_keys=False) raises on any key no dataclass declares.
    if (!KNOWN_CONFIG_KEYS.has(key)) problems.push(`${key}: not a LLaMA-Factory or trainer argument`);
    if (key in facts.removedKeys) problems.push(`${key}: ${(facts.removedKeys as Record<string, string>)[key]}`);
    // OmegaConf's loader refuses a file with a key twice.
    if (seen.has(key)) problems.push(`${key}: given twice`);
    seen.add(key);
    // parse_dict does not convert strings to enums: an unknown value passes the parser and then matches no branch.
    const allowed = enums[key];
    if (allowed && !allowed.includes(value)) problems.push(`${key}: "${value}" is not one of ${allowed.join(', ')}`);
    if (key === 'template' && !facts.templates.includes(value)) problems.push(`template: "${value}" is not registered`);
    if (key === 'template' && opts.vision && !facts.multimodalTemplates.includes(value)) problems.push(`template: "${value}" has no image plugin`);
    if (NUMERIC_KEYS.has(key) && !YAML11_NUMBER.test(value)) problems.push(`${key}: ${value} is a string to a YAML 1.1 reader (write a dot before the exponent)`);
    const from = since[key];
    if (from && versionNumber(from) > versionNumber(opts.minVersion)) problems.push(`${key}: needs LLaMA-Factory ${from}, the config says ${opts.minVersion}`);
  }
  return problems;
}

interface Entry {
  file_name?: string;
  formatting?: string;
  columns?: Record<string, string>;
  tags?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * Why LLaMA-Factory would skip or fail rows of a multimodal sharegpt dataset; [] when it reads them all.
 * mediaDir: check that each image path resolves there (converter.py joins it to media_dir).
 */
export function datasetProblems(entry: Entry, rows: readonly Record<string, unknown>[], mediaDir?: string): string[] {
  const problems: string[] = [];
  const attr = facts.datasetAttr;
  for (const k of Object.keys(entry)) if (!attr.entryKeys.includes(k)) problems.push(`entry key ${k} is not read`);
  if (!attr.formatting.includes(entry.formatting ?? 'alpaca')) problems.push(`formatting ${entry.formatting} is unknown`);
  if (entry.formatting !== 'sharegpt') problems.push('multimodal rows need formatting sharegpt (data/README.md)');
  const columns = entry.columns ?? {};
  for (const c of Object.keys(columns)) if (!attr.columns.includes(c)) problems.push(`column ${c} is not read`);
  const tags: Record<string, string> = { ...attr.tagDefaults, ...(entry.tags ?? {}) };
  const messagesCol = columns.messages ?? 'conversations';
  const imagesCol = columns.images;
  if (!imagesCol) problems.push('no images column: the images would be ignored');
  rows.forEach((row, n) => {
    const at = `row ${n + 1}`;
    // parser.py/converter.py read a declared column from every row (example[column]).
    for (const col of Object.values(columns)) if (!(col in row)) problems.push(`${at}: no ${col} column`);
    let messages = (row[messagesCol] ?? []) as Record<string, unknown>[];
    const images = (imagesCol ? row[imagesCol] ?? [] : []) as unknown[];
    // converter.py (sharegpt): a first message with the system tag is the system prompt.
    if (messages[0]?.[tags.role_tag as string] === tags.system_tag) messages = messages.slice(1);
    const odd = [tags.user_tag, tags.observation_tag];
    const even = [tags.assistant_tag, tags.function_tag];
    messages.forEach((m, i) => {
      const role = m[tags.role_tag as string] as string;
      if (!(i % 2 === 0 ? odd : even).includes(role)) problems.push(`${at}: message ${i + 1} has role ${role} out of turn (the row is skipped)`);
      if (typeof m[tags.content_tag as string] !== 'string') problems.push(`${at}: message ${i + 1} content is not a string`);
    });
    if (messages.length % 2 !== 0) problems.push(`${at}: odd message count (the row is skipped)`);
    // mm_plugin.py: the placeholders over all messages must equal the images, or preprocessing stops.
    const tokens = messages.reduce((sum, m) => sum + String(m[tags.content_tag as string] ?? '').split(facts.imagePlaceholder).length - 1, 0);
    if (tokens !== images.length) problems.push(`${at}: ${tokens} ${facts.imagePlaceholder} tokens for ${images.length} images`);
    for (const p of images) {
      if (typeof p !== 'string') problems.push(`${at}: image ${String(p)} is not a path`);
      else if (mediaDir !== undefined && !existsSync(join(mediaDir, p))) problems.push(`${at}: ${p} is not in ${mediaDir}`);
    }
  });
  return problems;
}

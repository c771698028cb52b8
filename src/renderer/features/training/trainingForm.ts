// The Fine-tune view's pure parts: the package form, the log tail, loss points and the default training
// command. No DOM, no store, no zod (the store is loaded with the shell); packageRequest.ts validates.
import type { Hyperparameters } from '../../../shared/training.schema';

/** The contract's Hyperparameters defaults (a test keeps them equal to Hyperparameters.parse({})). */
export const HYPER_DEFAULTS: Hyperparameters = {
  method: 'lora', r: 16, alpha: 32, dropout: 0.05, targetModules: ['q_proj', 'v_proj'], learningRate: 2e-4, epochs: 3, batchSize: 4,
  gradientAccumulation: 4, maxLength: 2048, precision: 'bf16', seed: 42,
};
export const LOG_TAIL_LINES = 400;
export const DEFAULT_COMMAND = 'bash scripts/train-peft.sh';
export const DEFAULT_ADAPTER_PATH = 'adapter/adapter.gguf';

export type NumericKey = 'r' | 'alpha' | 'dropout' | 'learningRate' | 'epochs' | 'batchSize' | 'gradientAccumulation' | 'maxLength' | 'seed';
export const NUMERIC_FIELDS: readonly { key: NumericKey; label: string; hint: string; integer: boolean }[] = [
  { key: 'r', label: 'Rank r', hint: 'LoRA rank', integer: true },
  { key: 'alpha', label: 'Alpha', hint: 'scale = alpha / r', integer: false },
  { key: 'dropout', label: 'Dropout', hint: '0–0.9', integer: false },
  { key: 'learningRate', label: 'Learning rate', hint: 'e.g. 2e-4', integer: false },
  { key: 'epochs', label: 'Epochs', hint: 'passes over the data', integer: false },
  { key: 'batchSize', label: 'Batch size', hint: 'per device', integer: true },
  { key: 'gradientAccumulation', label: 'Grad. accumulation', hint: 'steps per update', integer: true },
  { key: 'maxLength', label: 'Max length', hint: 'tokens per example', integer: true },
  { key: 'seed', label: 'Seed', hint: 'for reproducibility', integer: true },
];

export interface PackageForm {
  datasetId: string;
  split: 'train' | 'all';
  baseModelId: string;
  trainBaseModel: string;
  method: 'lora' | 'qlora';
  precision: 'bf16' | 'fp16' | 'fp32';
  /** Comma- or space-separated module names. */
  targetModules: string;
  numbers: Record<NumericKey, string>;
  outDir: string;
}

export function defaultPackageForm(): PackageForm {
  const h = HYPER_DEFAULTS;
  return {
    datasetId: '',
    split: 'train',
    baseModelId: '',
    trainBaseModel: '',
    method: h.method,
    precision: h.precision,
    targetModules: h.targetModules.join(', '),
    numbers: {
      r: String(h.r), alpha: String(h.alpha), dropout: String(h.dropout), learningRate: String(h.learningRate), epochs: String(h.epochs),
      batchSize: String(h.batchSize), gradientAccumulation: String(h.gradientAccumulation), maxLength: String(h.maxLength), seed: String(h.seed),
    },
    outDir: '',
  };
}

/** Rows a dataset has for each choice of the package form's "Rows". */
export interface RowCounts {
  train: number;
  accepted: number;
}

export interface RowsAdvice {
  /** The choice to default to; null while the counts are unknown. */
  split: 'train' | 'all' | null;
  /** Why a choice has nothing in it, in words the person can act on. */
  note: string | null;
}

/** Default to a choice that has rows, and say why the other is empty. */
export function rowsAdvice(counts: RowCounts | null): RowsAdvice {
  if (!counts) return { split: null, note: null };
  if (counts.train > 0) return { split: 'train', note: null };
  if (counts.accepted > 0) {
    return { split: 'all', note: 'No rows are in the train split yet — split the dataset in Datasets (Quality → Split…), or use all accepted rows.' };
  }
  return {
    split: 'all',
    note: 'No rows are accepted yet and none are in the train split — accept rows in Datasets (open a row, press A), or split the dataset there (Quality → Split…).',
  };
}

export type FormErrors = Partial<Record<NumericKey | 'datasetId' | 'baseModelId' | 'trainBaseModel' | 'targetModules' | 'outDir', string>>;

export function splitModules(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** New log lines after the old ones, keeping the last `max`. */
export function appendLog(tail: readonly string[], lines: readonly string[], max = LOG_TAIL_LINES): string[] {
  if (lines.length === 0) return tail as string[];
  const next = [...tail, ...lines];
  return next.length > max ? next.slice(next.length - max) : next;
}

export interface LossPoint {
  step: number;
  loss: number;
}

/** Adds a point when step and loss are known and the step is new; a restarted run (lower step) starts over. */
export function addLossPoint(points: readonly LossPoint[], step: number | null, loss: number | null): LossPoint[] {
  if (step == null || loss == null || !Number.isFinite(loss)) return points as LossPoint[];
  const last = points[points.length - 1];
  if (last && step === last.step) return [...points.slice(0, -1), { step, loss }];
  if (last && step < last.step) return [{ step, loss }];
  return [...points, { step, loss }];
}

/** SVG polyline points for a loss curve in a w×h box with `pad` inside; empty below two points. */
export function lossPolyline(points: readonly LossPoint[], w: number, h: number, pad = 4): { points: string; min: number; max: number } | null {
  if (points.length < 2) return null;
  const steps = points.map((p) => p.step);
  const losses = points.map((p) => p.loss);
  const x0 = Math.min(...steps);
  const x1 = Math.max(...steps);
  const min = Math.min(...losses);
  const max = Math.max(...losses);
  const xs = x1 - x0 || 1;
  const ys = max - min || 1;
  const coords = points.map((p) => {
    const x = pad + ((p.step - x0) / xs) * (w - 2 * pad);
    const y = pad + (1 - (p.loss - min) / ys) * (h - 2 * pad);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return { points: coords.join(' '), min, max };
}

/** The package's own scripts, in the order the view suggests them (each trains, then converts to GGUF). */
const TRAIN_SCRIPTS = ['scripts/train-peft.sh', 'scripts/train-llamafactory.sh', 'scripts/train.sh', 'train.sh'];

/** The command a package's own script suggests: its PEFT script where it wrote one. */
export function defaultCommand(files: readonly string[]): string {
  for (const script of TRAIN_SCRIPTS) {
    if (files.some((f) => f === script || f.endsWith(`/${script}`))) return `bash ${script}`;
  }
  return DEFAULT_COMMAND;
}

/** 0..1 from step/totalSteps, or null while unknown. */
export function stepFraction(step: number | null, total: number | null): number | null {
  if (step == null || total == null || total <= 0) return null;
  return Math.max(0, Math.min(1, step / total));
}

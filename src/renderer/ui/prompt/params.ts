// Sampling controls: strings while typing, SamplingParams once parsed. Pure.
import type { SamplingParams } from '../../../shared/runs.schema';

export interface ParamsForm {
  temperature: string;
  topP: string;
  topK: string;
  minP: string;
  repeatPenalty: string;
  maxTokens: string;
  /** Blank means a random seed. */
  seed: string;
  /** One stop sequence per line; \n and \t escapes allowed. */
  stop: string;
}

export type ParamsErrors = Partial<Record<keyof ParamsForm, string>>;
export type ParsedParams = { ok: true; params: SamplingParams } | { ok: false; errors: ParamsErrors };

/** Mirrors SamplingParams in shared/runs.schema.ts so mistakes are caught while typing, not at runs.start. */
const RANGES = {
  temperature: { min: 0, max: 5, int: false, label: 'Temperature' },
  topP: { min: 0, max: 1, int: false, label: 'Top-p' },
  topK: { min: 0, max: 100_000, int: true, label: 'Top-k' },
  minP: { min: 0, max: 1, int: false, label: 'Min-p' },
  repeatPenalty: { min: 0.5, max: 5, int: false, label: 'Repeat penalty' },
  maxTokens: { min: 1, max: 1 << 20, int: true, label: 'Max tokens' },
} as const;

export const MAX_STOP_SEQUENCES = 16;
export const MAX_STOP_LENGTH = 200;
const MAX_SEED = 2 ** 32 - 1;

export const DEFAULT_PARAMS: SamplingParams = {
  temperature: 0.8,
  topP: 0.95,
  topK: 40,
  minP: 0.05,
  repeatPenalty: 1.1,
  maxTokens: 256,
  seed: null,
  stop: [],
};

export function toParamsForm(p: SamplingParams): ParamsForm {
  return {
    temperature: String(p.temperature),
    topP: String(p.topP),
    topK: String(p.topK),
    minP: String(p.minP),
    repeatPenalty: String(p.repeatPenalty),
    maxTokens: String(p.maxTokens),
    seed: p.seed == null ? '' : String(p.seed),
    stop: formatStopSequences(p.stop),
  };
}

/** "\n" in a line means a newline, "\t" a tab, "\\" a backslash; blank lines are ignored; duplicates dropped. */
export function parseStopSequences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.length === 0) continue;
    const value = line.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

export function formatStopSequences(stop: readonly string[]): string {
  return stop.map((s) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t')).join('\n');
}

function parseNumber(text: string, r: { min: number; max: number; int: boolean; label: string }): number | string {
  const t = text.trim();
  if (t === '') return `${r.label} is required`;
  const n = Number(t);
  if (!Number.isFinite(n)) return `${r.label} must be a number`;
  if (r.int && !Number.isInteger(n)) return `${r.label} must be a whole number`;
  if (n < r.min || n > r.max) return `${r.label} must be between ${r.min} and ${r.max}`;
  return n;
}

export function parseParamsForm(form: ParamsForm): ParsedParams {
  const errors: ParamsErrors = {};
  const values: Partial<Record<keyof typeof RANGES, number>> = {};
  for (const key of Object.keys(RANGES) as (keyof typeof RANGES)[]) {
    const v = parseNumber(form[key], RANGES[key]);
    if (typeof v === 'string') errors[key] = v;
    else values[key] = v;
  }
  let seed: number | null = null;
  const seedText = form.seed.trim();
  if (seedText !== '') {
    const n = Number(seedText);
    if (!/^\d+$/.test(seedText) || n > MAX_SEED) errors.seed = `Seed must be a whole number from 0 to ${MAX_SEED}, or blank for random`;
    else seed = n;
  }
  const stop = parseStopSequences(form.stop);
  if (stop.length > MAX_STOP_SEQUENCES) errors.stop = `At most ${MAX_STOP_SEQUENCES} stop sequences`;
  else if (stop.some((s) => s.length > MAX_STOP_LENGTH)) errors.stop = `A stop sequence can be at most ${MAX_STOP_LENGTH} characters`;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const v = values as Record<keyof typeof RANGES, number>;
  return {
    ok: true,
    params: {
      temperature: v.temperature,
      topP: v.topP,
      topK: v.topK,
      minP: v.minP,
      repeatPenalty: v.repeatPenalty,
      maxTokens: v.maxTokens,
      seed,
      stop,
    },
  };
}

/** Null when the text is a JSON object (a schema); otherwise why not. */
export function jsonSchemaProblem(text: string): string | null {
  if (!text.trim()) return 'The JSON schema is empty';
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'The JSON schema must be an object, e.g. {"type": "object"}';
    return null;
  } catch (error) {
    return `The JSON schema is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

// Local run targets with LoRA adapters attached: their labels ("base + adapter@scale"), scale steps and the
// Compare scale sweep. Pure, so pickers in the Playground, Compare and Evaluations spell targets one way.
import type { AdapterUse } from '../../../shared/adapters.schema';
import type { RunTarget } from '../../../shared/runs.schema';

/** The contract's MAX_STACKED_ADAPTERS, repeated so pickers do not load zod (a test keeps them equal). */
export const MAX_STACKED_ADAPTERS = 4;
export const SCALE_MIN = 0;
export const SCALE_MAX = 2;
export const SCALE_STEP = 0.05;
export const DEFAULT_SWEEP_SCALES: readonly number[] = [0.5, 1];

/** A local target as the run schema carries it once adapters are part of it; older targets have none. */
export type LocalTarget = Extract<RunTarget, { kind: 'local' }> & { adapters?: AdapterUse[] };

export function adaptersOf(target: RunTarget | null): AdapterUse[] {
  if (!target || target.kind !== 'local') return [];
  return (target as LocalTarget).adapters ?? [];
}

/** The same target with these adapters; none drops the field so a plain local target stays plain. */
export function withAdapters(target: RunTarget, adapters: readonly AdapterUse[]): RunTarget {
  if (target.kind !== 'local') return target;
  const plain: LocalTarget = { kind: 'local', modelId: target.modelId };
  if (adapters.length === 0) return plain;
  return { ...plain, adapters: adapters.slice(0, MAX_STACKED_ADAPTERS).map((a) => ({ adapterId: a.adapterId, scale: a.scale })) } as RunTarget;
}

/** Onto the 0.05 grid within 0–2; NaN becomes 1 (as trained). */
export function clampScale(value: number): number {
  if (!Number.isFinite(value)) return 1;
  const stepped = Math.round(value / SCALE_STEP) * SCALE_STEP;
  return Number(Math.min(SCALE_MAX, Math.max(SCALE_MIN, stepped)).toFixed(2));
}

/** 1 → "1", 0.5 → "0.5", 0.25 → "0.25". */
export function formatScale(scale: number): string {
  return String(Number(scale.toFixed(2)));
}

/** An adapter's short name: its file name without .gguf. */
export function adapterShortName(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '');
}

/** "tiny.gguf + style-lora@0.5 + other@1"; an adapter no longer listed shows its id. */
export function targetWithAdaptersLabel(baseLabel: string, adapters: readonly AdapterUse[], names: ReadonlyMap<string, string>): string {
  if (adapters.length === 0) return baseLabel;
  return [baseLabel, ...adapters.map((a) => `${names.get(a.adapterId) ?? a.adapterId}@${formatScale(a.scale)}`)].join(' + ');
}

/** Attaches one more adapter at scale 1, unless it is attached already or the stack is full. */
export function attachAdapter(adapters: readonly AdapterUse[], adapterId: string): AdapterUse[] {
  if (adapters.some((a) => a.adapterId === adapterId) || adapters.length >= MAX_STACKED_ADAPTERS) return [...adapters];
  return [...adapters, { adapterId, scale: 1 }];
}

export function setAdapterScale(adapters: readonly AdapterUse[], adapterId: string, scale: number): AdapterUse[] {
  return adapters.map((a) => (a.adapterId === adapterId ? { ...a, scale: clampScale(scale) } : a));
}

/** "0.5, 1, 1.5" → [0.5, 1, 1.5]; an error names the first bad entry. Duplicates and 0 (the base) are dropped. */
export function parseSweepScales(text: string): { ok: true; scales: number[] } | { ok: false; message: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { ok: false, message: 'Give at least one scale, e.g. 0.5, 1.' };
  const scales: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n) || n < SCALE_MIN || n > SCALE_MAX) return { ok: false, message: `“${p}” is not a scale between ${SCALE_MIN} and ${SCALE_MAX}.` };
    const c = clampScale(n);
    if (c !== 0 && !scales.includes(c)) scales.push(c);
  }
  if (scales.length === 0) return { ok: false, message: 'Scale 0 is the base model itself; give a scale above 0.' };
  return { ok: true, scales };
}

/** Compare columns for a sweep: the base model, then the adapter at each scale, all on the same prompt. */
export function sweepColumns(modelId: string, adapterId: string, scales: readonly number[], maxColumns: number): RunTarget[] {
  const base: RunTarget = { kind: 'local', modelId };
  const swept = scales.map((scale) => withAdapters(base, [{ adapterId, scale }]));
  return [base, ...swept].slice(0, maxColumns);
}

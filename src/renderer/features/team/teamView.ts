// Pure helpers of the Team view: how a statistic reads, a queue's progress share, the start form as the
// team.start input, and the agreement-over-time series per field for the chart.
import type { LabelPatch } from '../../../shared/datasets.schema';
import type { AgreementPoint, QueueProgress, Stat, StartAssignmentInput } from '../../../shared/team.schema';

/** "0.743", or the reason it is undefined (shown as a tooltip beside "—"). */
export function statWords(s: Stat): { text: string; title: string | undefined } {
  if (s.value === null) return { text: '—', title: s.reason ?? undefined };
  return { text: s.value.toFixed(3), title: `${s.units} rows` };
}

/** done / (done + remaining); the shared pool is shown apart. null when nothing was dealt yet. */
export function queueShare(q: Pick<QueueProgress, 'done' | 'remaining'>): number | null {
  const total = q.done + q.remaining;
  return total === 0 ? null : q.done / total;
}

export interface StartForm {
  datasetId: string;
  mode: 'round_robin' | 'claim_next';
  overlapPercent: string;
  overlapK: string;
  claimMinutes: string;
}

export const EMPTY_START: StartForm = { datasetId: '', mode: 'claim_next', overlapPercent: '10', overlapK: '2', claimMinutes: '30' };

/** The form as team.start's input, or the first field that is wrong and why. */
export function toStartInput(f: StartForm): { ok: true; input: StartAssignmentInput } | { ok: false; error: string } {
  if (!f.datasetId) return { ok: false, error: 'Pick a dataset' };
  const overlap = Number(f.overlapPercent);
  if (!Number.isFinite(overlap) || overlap < 0 || overlap > 100) return { ok: false, error: 'Overlap: a percentage from 0 to 100' };
  const k = Number(f.overlapK);
  if (!Number.isInteger(k) || k < 2) return { ok: false, error: 'Labelers per overlapped row: a whole number, 2 or more' };
  const minutes = Number(f.claimMinutes);
  if (!Number.isFinite(minutes) || minutes <= 0) return { ok: false, error: 'Claim timeout: minutes, more than 0' };
  return { ok: true, input: { datasetId: f.datasetId, mode: f.mode, overlap: overlap / 100, overlapK: k, claimMinutes: minutes } };
}

/** Alpha per field over time, one series per field, points in time order (null alpha left out). */
export function alphaSeries(points: readonly AgreementPoint[]): { field: string; points: { x: number; y: number }[] }[] {
  const byField = new Map<string, { x: number; y: number }[]>();
  for (const p of points) {
    if (p.alpha === null) continue;
    byField.set(p.field, [...(byField.get(p.field) ?? []), { x: p.bucketStart, y: p.alpha }]);
  }
  return [...byField].map(([field, pts]) => ({ field, points: pts.sort((a, b) => a.x - b.x) }));
}

/** One labeler's answer in words: "accepted · rating 4 · topic: billing · flags: rude, pii". */
export function answerWords(p: LabelPatch): string {
  const parts: string[] = [];
  if (p.status) parts.push(p.status);
  if (p.rating != null) parts.push(`rating ${p.rating}`);
  for (const [field, v] of Object.entries(p.labels ?? {})) parts.push(`${field}: ${Array.isArray(v) ? v.join(', ') : v}`);
  if (p.response != null) parts.push(`answer edited (${p.response.length} characters)`);
  if (p.note) parts.push(`note: ${p.note}`);
  return parts.join(' · ') || 'no change';
}

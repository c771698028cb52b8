// Pure helpers of the Team view: how a statistic reads, a queue's progress share, the start form (with its
// by-filter parts) as the team.start input, a reviewer's own answer as a label patch, and the
// agreement-over-time series per field for the chart.
import type { LabelPatch, LabelSchema, RowFilterInput, RowStatus } from '../../../shared/datasets.schema';
import type { AgreementPoint, AssignMode, QueueProgress, ReviewRecord, Stat, StartAssignmentInput } from '../../../shared/team.schema';

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

/** A slice of rows by status and one label option ("field=option"); '' means any. */
export interface FilterForm {
  status: RowStatus | '';
  label: string;
}
export const ANY_ROWS: FilterForm = { status: '', label: '' };

export interface StartForm {
  datasetId: string;
  mode: AssignMode;
  overlapPercent: string;
  overlapK: string;
  claimMinutes: string;
  /** Which rows of the dataset the assignment covers. */
  slice: FilterForm;
  /** by_filter: the rows each labeler takes; labelers left at "any" get no part. */
  parts: Record<string, FilterForm>;
}

export const EMPTY_START: StartForm = { datasetId: '', mode: 'claim_next', overlapPercent: '10', overlapK: '2', claimMinutes: '30', slice: ANY_ROWS, parts: {} };

/** The label filter's choices: "field=option" for every option of every field. */
export function labelChoices(schema: LabelSchema | null): string[] {
  return (schema?.fields ?? []).flatMap((f) => f.options.map((o) => `${f.name}=${o}`));
}

function filterOf(f: FilterForm): RowFilterInput | null {
  if (f.status === '' && f.label === '') return null;
  return { ...(f.status !== '' ? { status: f.status } : {}), ...(f.label !== '' ? { label: f.label } : {}) };
}

/** The form as team.start's input, or the first field that is wrong and why. */
export function toStartInput(f: StartForm): { ok: true; input: StartAssignmentInput } | { ok: false; error: string } {
  if (!f.datasetId) return { ok: false, error: 'Pick a dataset' };
  const overlap = Number(f.overlapPercent);
  if (!Number.isFinite(overlap) || overlap < 0 || overlap > 100) return { ok: false, error: 'Overlap: a percentage from 0 to 100' };
  const k = Number(f.overlapK);
  if (!Number.isInteger(k) || k < 2) return { ok: false, error: 'Labelers per overlapped row: a whole number, 2 or more' };
  const minutes = Number(f.claimMinutes);
  if (!Number.isFinite(minutes) || minutes <= 0) return { ok: false, error: 'Claim timeout: minutes, more than 0' };
  const slice = filterOf(f.slice);
  const parts = Object.entries(f.parts).flatMap(([labelerId, p]) => {
    const filter = filterOf(p);
    return filter ? [{ labelerId, filter }] : [];
  });
  if (f.mode === 'by_filter' && parts.length === 0) return { ok: false, error: 'By filter: give at least one labeler a status or a label to take' };
  return {
    ok: true,
    input: { datasetId: f.datasetId, mode: f.mode, overlap: overlap / 100, overlapK: k, claimMinutes: minutes, ...(slice ? { filter: slice } : {}), ...(f.mode === 'by_filter' ? { parts } : {}) },
  };
}

/** A reviewer's own answer: status, rating, single-choice labels and a note; '' leaves a field out. */
export interface AnswerForm {
  status: RowStatus | '';
  rating: string;
  labels: Record<string, string>;
  note: string;
}
export const EMPTY_ANSWER: AnswerForm = { status: 'accepted', rating: '', labels: {}, note: '' };

export function toAnswerPatch(f: AnswerForm): { ok: true; patch: LabelPatch } | { ok: false; error: string } {
  const labels = Object.fromEntries(Object.entries(f.labels).filter(([, v]) => v !== ''));
  const patch: LabelPatch = {
    ...(f.status !== '' ? { status: f.status } : {}),
    ...(f.rating !== '' ? { rating: Number(f.rating) } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(f.note.trim() !== '' ? { note: f.note.trim() } : {}),
  };
  if (Object.keys(patch).length === 0) return { ok: false, error: 'Write an answer: give a status, a rating, a label or a note' };
  return { ok: true, patch };
}

/** Who resolved a row, how and when: "Rita chose Ana's answer" / "Rita wrote an answer". */
export function resolutionWords(r: Pick<ReviewRecord, 'reviewerName' | 'kind' | 'chosenLabelerId'>, nameOf: (id: string) => string): string {
  return r.kind === 'chose' && r.chosenLabelerId !== null ? `${r.reviewerName} chose ${nameOf(r.chosenLabelerId)}'s answer` : `${r.reviewerName} wrote an answer`;
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

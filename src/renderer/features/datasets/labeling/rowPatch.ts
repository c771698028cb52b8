// How a row looks with label changes not confirmed yet: the user's change stays visible while it saves,
// and after a failed save until it is retried or dropped. Pure.
import type { DatasetRow, LabelPatch } from '../../../../shared/datasets.schema';

export function applyPatch(row: DatasetRow, patch: LabelPatch): DatasetRow {
  const next: DatasetRow = { ...row, record: { ...row.record } };
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.rating !== undefined) next.rating = patch.rating;
  if (patch.labels !== undefined) next.labels = patch.labels;
  if (patch.tags !== undefined) next.tags = patch.tags;
  if (patch.note !== undefined) next.note = patch.note;
  if (patch.response !== undefined) {
    next.response = patch.response;
    next.record.response = patch.response;
  }
  if (patch.chosen !== undefined) next.record.chosen = patch.chosen;
  if (patch.rejected !== undefined) next.record.rejected = patch.rejected;
  next.hasPair = next.record.chosen != null && next.record.rejected != null;
  return next;
}

export function applyPatches(row: DatasetRow, patches: readonly LabelPatch[]): DatasetRow {
  return patches.reduce(applyPatch, row);
}

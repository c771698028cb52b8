// A label save based on an older version of the row than the stored one: refused with both values and who
// saved the stored one, so two people editing one row see each other's answer instead of overwriting it.
import type { LabelPatch, LabelValues, RowStatus } from '../../shared/datasets.schema';
import type { Profile } from '../../shared/profiles.schema';
import { CoreError } from '../errors';
import type { DatasetRowDb } from './datasets.repo';

export interface StoredLabel {
  version: number;
  status: RowStatus;
  rating: number | null;
  labels: LabelValues;
  note: string | null;
  response: string | null;
  savedBy: { id: string; name: string } | null;
  savedAt: number | null;
}

export class RowConflictError extends CoreError {
  readonly stored: StoredLabel;

  constructor(
    row: DatasetRowDb,
    readonly baseVersion: number,
    readonly yours: LabelPatch,
    savedBy: Profile | null,
  ) {
    const stored: StoredLabel = {
      version: row.version,
      status: row.status,
      rating: row.rating,
      labels: JSON.parse(row.labels_json) as LabelValues,
      note: row.note,
      response: row.response,
      savedBy: savedBy ? { id: savedBy.id, name: savedBy.name } : null,
      savedAt: row.labeled_at,
    };
    const who = savedBy ? savedBy.name : 'someone';
    const when = row.labeled_at === null ? '' : ` at ${new Date(row.labeled_at).toISOString()}`;
    super(
      'CONFLICT',
      `row ${row.id} changed after version ${baseVersion} that your save was based on: ${who} saved version ${row.version}${when}. ` +
        `Stored: ${JSON.stringify({ status: stored.status, rating: stored.rating, labels: stored.labels, note: stored.note })}; ` +
        `yours: ${JSON.stringify(yours)}. Nothing was saved; reload the row and save again.`,
    );
    this.stored = stored;
  }
}

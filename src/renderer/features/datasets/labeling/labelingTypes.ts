// The labeling store's job and mode types, apart from the store so it stays readable.
import type { LabelPatch } from '../../../../shared/datasets.schema';
import type { ShownError } from '../../../client/errors';
import type { RowConflict } from './rowConflict';

export interface SaveJob {
  seq: number;
  rowId: number;
  patch: LabelPatch;
  /** Words for the indicator: "accepted", "rating 4", "edited response". */
  what: string;
  /** An undo travels the same queue, so it lands after the saves pressed before it. */
  kind: 'label' | 'undo';
  state: 'pending' | 'failed';
  error: ShownError | null;
  /** Set by "Keep mine": save again over the stored version the conflict named. */
  baseVersion?: number;
  /** The stored row changed under this save (CONFLICT): both values, shown until Keep mine / Take theirs. */
  conflict?: RowConflict | null;
}

export type Mode = 'view' | 'edit' | 'preference';

export interface Candidates {
  rowId: number;
  a: string;
  b: string;
}

// Which rows of a dataset a labeler may read while the dataset has an open team assignment: the rows whose
// tasks are theirs (dealt to them, claimed by them, done by them) and the rows they labelled themselves.
// Reviewers (review) and data managers (manageData) read every row; a dataset without an open assignment is
// read as before (solo labeling). DatasetsService applies the scope to every row read.
import { hasPermission } from '../../shared/roles';
import type { RowScope } from '../datasets/rowQuery';
import type { Db } from '../db/openDb';
import type { ProfilesService } from '../profiles/profiles.service';

// One branch per index (team_tasks_next, _done, _claimed, dataset_rows_labeler), so each is a lookup, not a scan.
const OWN_TASKS = (column: string, extra = '') =>
  `SELECT t.row_id FROM team_tasks t JOIN team_assignments a ON a.id = t.assignment_id WHERE a.dataset_id = ? AND t.${column} = ?${extra}`;
export const SCOPE_SQL = `r.id IN (
  ${OWN_TASKS('labeler_id')}
  UNION ${OWN_TASKS('done_by')}
  UNION ${OWN_TASKS('claimed_by', " AND t.state = 'open'")}
  UNION SELECT id FROM dataset_rows WHERE dataset_id = ? AND labeler_id = ?)`;

// One row: that row's tasks by (assignment_id, row_id), not the reader's whole list (every save asks this).
export const ROW_IN_SCOPE_SQL = `SELECT 1 FROM dataset_rows r WHERE r.id = @row AND r.dataset_id = @ds AND (r.labeler_id = @me OR EXISTS (
  SELECT 1 FROM team_assignments a JOIN team_tasks t ON t.assignment_id = a.id AND t.row_id = r.id
  WHERE a.dataset_id = @ds AND (t.labeler_id = @me OR t.done_by = @me OR (t.claimed_by = @me AND t.state = 'open'))))`;

export function teamRowScope(db: Db, profiles: ProfilesService): (datasetId: string) => RowScope | null {
  const open = db.prepare("SELECT 1 FROM team_assignments WHERE dataset_id = ? AND state = 'open' LIMIT 1");
  const has = db.prepare(ROW_IN_SCOPE_SQL);
  return (datasetId) => {
    const me = profiles.actor();
    if (hasPermission(me.role, 'review') || hasPermission(me.role, 'manageData')) return null;
    if (open.get(datasetId) === undefined) return null;
    const params = [datasetId, me.id, datasetId, me.id, datasetId, me.id, datasetId, me.id];
    return { profileId: me.id, sql: SCOPE_SQL, params, has: (rowId) => has.get({ row: rowId, ds: datasetId, me: me.id }) !== undefined };
  };
}

// The Team view: a labeler's queues with progress and the row they hold; for reviewers (review) the
// assignments, the agreement table and chart, queue sizes, and review of disagreements; data managers
// (manageData) also start assignments.
import { useEffect, useState } from 'react';
import type { LabelPatch, LabelSchema, RowStatus } from '../../../shared/datasets.schema';
import type { Task } from '../../../shared/team.schema';
import { useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { ProgressBar } from '../../ui/ProgressBar';
import { formatCount, preview } from '../../ui/format';
import { LabelChoices } from './LabelChoices';
import { TeamReview } from './TeamReview';
import { useTeamStore } from './team.store';
import { queueShare } from './teamView';
import './team.css';

export function TeamView(): React.JSX.Element {
  const canReview = useCan('team.reviewQueue');
  return (
    <div className="view view-team">
      <MyQueues />
      {canReview ? <TeamReview /> : null}
    </div>
  );
}

function MyQueues(): React.JSX.Element {
  const { queues, task, schema, labelError, busy, loadMine, next, submit, release } = useTeamStore();
  useEffect(() => void loadMine(), [loadMine]);
  return (
    <section className="card team-mine" data-testid="team-mine">
      <div className="section-head">
        <h2 className="card-title">My queue</h2>
      </div>
      {queues.length === 0 ? <p className="muted">No assignment names you yet.</p> : null}
      <ul className="team-queues">
        {queues.map((q) => (
          <li key={q.assignmentId} data-testid="team-queue">
            <span className="team-queue-name">{q.name}</span>
            <ProgressBar value={queueShare(q)} label={`${formatCount(q.done)} done of ${formatCount(q.done + q.remaining)}${q.pool ? ` · ${formatCount(q.pool)} in the shared pool` : ''}`} />
            <button type="button" className="btn btn-primary btn-small" data-testid="team-next" disabled={busy} onClick={() => void next(q.assignmentId)}>
              {task?.assignmentId === q.assignmentId ? 'Reload row' : 'Label next'}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={labelError} testId="team-label-error" title="Not saved" />
      {task ? <TaskForm key={task.taskId} task={task} schema={schema} busy={busy} onSubmit={(p) => void submit(p)} onRelease={() => void release()} /> : null}
    </section>
  );
}

function TaskForm({ task, schema, busy, onSubmit, onRelease }: { task: Task; schema: LabelSchema | null; busy: boolean; onSubmit: (p: LabelPatch) => void; onRelease: () => void }): React.JSX.Element {
  // An overlapped row starts blank: each labeler answers without seeing another's answer.
  const [labels, setLabels] = useState<Record<string, string>>(() =>
    task.overlap ? {} : Object.fromEntries(Object.entries(task.row.labels).filter((e): e is [string, string] => typeof e[1] === 'string')),
  );
  const [rating, setRating] = useState<number | null>(task.overlap ? null : task.row.rating);
  const save = (status: RowStatus) => onSubmit({ status, ...(rating !== null ? { rating } : {}), ...(Object.keys(labels).length ? { labels } : {}) });
  return (
    <div className="team-task" data-testid="team-task">
      <div className="muted">
        Row {task.rowId}
        {task.overlap ? ' · labelled by several people (compared for agreement)' : ''} · claimed until {new Date(task.claimExpires).toLocaleTimeString()}
      </div>
      <div className="team-text" data-testid="team-task-prompt">{task.row.prompt}</div>
      <div className="team-text team-answer">{preview(task.row.response, 2000)}</div>
      <LabelChoices
        schema={schema}
        labels={labels}
        onLabels={setLabels}
        rating={rating === null ? '' : String(rating)}
        onRating={(r) => setRating(r ? Number(r) : null)}
        testIds={{ field: (name) => `team-field-${name}`, rating: 'team-rating' }}
      />
      <div className="team-actions">
        <button type="button" className="btn btn-primary" data-testid="team-accept" disabled={busy} onClick={() => save('accepted')}>
          Accept
        </button>
        <button type="button" className="btn" data-testid="team-reject" disabled={busy} onClick={() => save('rejected')}>
          Reject
        </button>
        <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => save('skipped')}>
          Skip
        </button>
        <button type="button" className="btn btn-link" disabled={busy} onClick={onRelease}>
          Release
        </button>
      </div>
    </div>
  );
}

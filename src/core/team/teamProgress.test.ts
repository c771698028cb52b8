// Queue progress is counted once per assignment and then moved by each completion (team.repo tallies): it
// must always equal a fresh count from SQLite, also after a save that was refused and rolled back.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { QueueProgress, Task } from '../../shared/team.schema';
import { openDb } from '../db/openDb';
import { closeAfterEach } from '../testing/closeAfterEach';
import { TeamRepo } from './team.repo';
import { teamSetup } from './testing/teamSetup';

const opened = closeAfterEach();

describe('team queue progress', () => {
  it('equals a fresh count after every save, in both modes, and after a save refused for a newer row', async () => {
    const s = await teamSetup(40, ['Ana', 'Ben', 'Cy']);
    const core = opened.core(s.core);
    const { datasetId, people, as } = s;
    // A repo made now counts from the table: the truth the kept counts must match.
    const truth = (assignmentId: string, labelerId: string) => new TeamRepo(core.db).progress(assignmentId, labelerId, Date.now());
    const dealt = await core.invoke('team.start', { datasetId, mode: 'round_robin', overlap: 0.25, overlapK: 2 });
    const pooled = await core.invoke('team.start', { datasetId, mode: 'claim_next', overlap: 0.25, overlapK: 2 });

    // Each labeler asks its progress first (the counts are kept from here), then saves eight rows of each.
    for (const p of people) await as(p.id).call('team.myQueues', {});
    for (let round = 0; round < 8; round++) {
      for (const p of people) {
        for (const a of [dealt, pooled]) {
          const { task } = await as(p.id).call<{ task: Task }>('team.next', { assignmentId: a.id });
          const got = await as(p.id).call<QueueProgress>('team.submit', { taskId: task.taskId, patch: { status: 'accepted', labels: { topic: 'tech' } }, baseVersion: task.row.version });
          expect({ a: a.mode, ...got }).toEqual({ a: a.mode, assignmentId: a.id, labelerId: p.id, ...truth(a.id, p.id) });
        }
      }
    }
    const [ana] = people;
    expect(truth(pooled.id, ana.id)).toMatchObject({ done: 8, remaining: 0 });
    expect(truth(dealt.id, ana.id).done).toBe(8);

    // Ana holds a row only she labels; an admin labels it meanwhile: her save is refused and undone whole.
    let held: Task | null = null;
    while (!held) {
      const { task } = await as(ana.id).call<{ task: Task }>('team.next', { assignmentId: dealt.id });
      if (!task.overlap) held = task;
      else await as(ana.id).call('team.submit', { taskId: task.taskId, patch: { status: 'accepted' }, baseVersion: task.row.version });
    }
    const before = truth(dealt.id, ana.id);
    await core.invoke('datasets.label', { datasetId, rowId: held.rowId, labelerId: core.profiles.ownerId, patch: { status: 'rejected' } });
    const refused = await as(ana.id).dispatch('team.submit', { taskId: held.taskId, patch: { status: 'accepted' }, baseVersion: held.row.version });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const queues = await as(ana.id).call<QueueProgress[]>('team.myQueues', {});
    expect(queues.find((q) => q.assignmentId === dealt.id)).toMatchObject({ ...truth(dealt.id, ana.id), done: before.done, remaining: before.remaining });

    // Saved again on the newer version: counted once.
    const again = await as(ana.id).call<{ task: Task }>('team.next', { assignmentId: dealt.id });
    expect(again.task.taskId).toBe(held.taskId);
    const after = await as(ana.id).call<QueueProgress>('team.submit', { taskId: held.taskId, patch: { status: 'accepted' }, baseVersion: again.task.row.version });
    expect(after).toMatchObject({ ...truth(dealt.id, ana.id), done: before.done + 1, remaining: before.remaining - 1 });
    // The reviewers' table reads the same counts.
    const table = await core.invoke('team.queues', { assignmentId: pooled.id });
    for (const p of people) expect(table.find((q) => q.labelerId === p.id)).toMatchObject({ ...truth(pooled.id, p.id) });
  });

  it('counts again after another connection to the same file completed tasks', async () => {
    const s = await teamSetup(6, ['Ana']);
    const core = opened.core(s.core);
    const [ana] = s.people;
    const a = await core.invoke('team.start', { datasetId: s.datasetId, mode: 'claim_next', overlap: 0 });
    expect((await s.as(ana.id).call<QueueProgress[]>('team.myQueues', {}))[0]).toMatchObject({ done: 0, pool: 6 });
    // A second connection (as another process would have) completes two tasks.
    const other = openDb(join(s.dir, 'lamplight.db'));
    const repo = new TeamRepo(other);
    for (let i = 0; i < 2; i++) {
      const t = repo.claimNext(a.id, ana.id, Date.now(), 60_000);
      if (!t) throw new Error('no task to claim');
      other.transaction(() => repo.complete(t, ana.id, '{}', Date.now()))();
    }
    other.close();
    expect((await s.as(ana.id).call<QueueProgress[]>('team.myQueues', {}))[0]).toMatchObject({ done: 2, pool: 4 });
  });
});

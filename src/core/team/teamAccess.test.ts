// Who sees what in team labeling, through the dispatcher as a transport calls it: a labeler reaches only
// its own queue and no reviewer data, team events reach only the profiles they concern, and a label save
// based on an old row version is refused with both values instead of overwriting.
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/contract';
import type { QueueProgress, Task } from '../../shared/team.schema';
import { RowConflictError } from '../datasets/rowConflict';
import { closeAfterEach } from '../testing/closeAfterEach';
import { teamSetup } from './testing/teamSetup';

const opened = closeAfterEach();

describe('team access', () => {
  it("lets a labeler reach only its own queue: no other labeler's queue, answers or any reviewer data", async () => {
    const s = await teamSetup(10, ['Ana', 'Ben', 'Cy']);
    opened.core(s.core);
    const [ana, ben, cy] = s.people;
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'round_robin', labelerIds: [ana.id, ben.id], overlap: 0.2, overlapK: 2 });
    const benTask = (await s.as(ben.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;

    const reviewerOnly = {
      'team.start': { datasetId: s.datasetId },
      'team.assignments': {},
      'team.queues': { assignmentId: a.id },
      'team.agreement': { assignmentId: a.id },
      'team.dashboard': { assignmentId: a.id },
      'team.reviewQueue': { assignmentId: a.id },
      'team.reviews': { assignmentId: a.id },
      'team.resolve': { assignmentId: a.id, rowId: benTask.rowId, patch: { status: 'accepted' } },
      'team.close': { assignmentId: a.id },
    };
    for (const [name, input] of Object.entries(reviewerOnly)) {
      expect([name, await s.as(ana.id).dispatch(name, input)]).toMatchObject([name, { ok: false, error: { code: 'FORBIDDEN' } }]);
    }
    // Her queue is hers: the numbers are her own, whatever Ben holds.
    const mine = await s.as(ana.id).call<QueueProgress[]>('team.myQueues', {});
    expect(mine).toEqual([expect.objectContaining({ labelerId: ana.id, claimed: 0, done: 0 })]);
    expect(await s.as(ben.id).call<QueueProgress[]>('team.myQueues', {})).toEqual([expect.objectContaining({ labelerId: ben.id, claimed: 1 })]);
    // She cannot submit or release Ben's task, and a profile outside the assignment is refused its queue.
    const submit = await s.as(ana.id).dispatch('team.submit', { taskId: benTask.taskId, patch: { status: 'rejected' } });
    expect(submit).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await s.as(ana.id).call('team.release', { taskId: benTask.taskId })).toEqual({ released: false });
    expect(await s.as(cy.id).dispatch('team.next', { assignmentId: a.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/Cy is not a labeler of assignment/) } });
    expect(await s.as(cy.id).call('team.myQueues', {})).toEqual([]);
    // Ben's task is untouched by all of that.
    expect((await s.as(ben.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task.taskId).toBe(benTask.taskId);
  });

  it('delivers team.progress to reviewers and to the labeler it concerns, not to other labelers', async () => {
    const s = await teamSetup(6, ['Ana', 'Ben']);
    opened.core(s.core);
    const [ana, ben] = s.people;
    const analyst = await s.core.invoke('profiles.create', { name: 'Al', role: 'analyst' });
    const owner = (await s.core.invoke('session.whoami', {})).profileId;
    const heard = new Map<string, QueueProgress[]>();
    for (const id of [ana.id, ben.id, analyst.id, owner]) {
      heard.set(id, []);
      s.core.onEventFor(id, (name: EventName, payload) => {
        if (name === 'team.progress') heard.get(id)?.push(payload as QueueProgress);
      });
    }
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'round_robin', overlap: 0 });
    for (const who of [ana, ben]) {
      const { task } = await s.as(who.id).call<{ task: Task }>('team.next', { assignmentId: a.id });
      await s.as(who.id).call('team.submit', { taskId: task.taskId, patch: { status: 'accepted' }, baseVersion: task.row.version });
    }
    expect(heard.get(ana.id)?.map((p) => [p.labelerId, p.done])).toEqual([[ana.id, 1]]);
    expect(heard.get(ben.id)?.map((p) => [p.labelerId, p.done])).toEqual([[ben.id, 1]]);
    expect(heard.get(owner)?.map((p) => p.labelerId)).toEqual([ana.id, ben.id]);
    expect(heard.get(analyst.id)).toEqual([]);
  });
});

describe('label conflicts', () => {
  it('refuses a save based on an older row version with both values and who saved the stored one', async () => {
    const s = await teamSetup(3, ['Ana', 'Ben']);
    opened.core(s.core);
    const [ana, ben] = s.people;
    const rowId = (await s.core.invoke('datasets.rows', { datasetId: s.datasetId, limit: 1 })).rows[0]?.id as number;
    const read = await s.as(ana.id).call<{ version: number }>('datasets.row', { datasetId: s.datasetId, rowId });
    // Ben saves first, from the same version Ana read.
    const saved = await s.as(ben.id).call<{ version: number }>('datasets.label', { datasetId: s.datasetId, rowId, labelerId: ben.id, patch: { status: 'accepted', labels: { topic: 'tech' } }, baseVersion: read.version });
    expect(saved.version).toBe(read.version + 1);
    const stale = await s.as(ana.id).dispatch('datasets.label', { datasetId: s.datasetId, rowId, labelerId: ana.id, patch: { status: 'rejected', labels: { topic: 'billing' } }, baseVersion: read.version });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const message = stale.ok ? '' : stale.error.message;
    expect(message).toMatch(new RegExp(`row ${rowId} changed after version ${read.version} that your save was based on: Ben saved version ${saved.version} at 20`));
    expect(message).toContain('Stored: {"status":"accepted","rating":null,"labels":{"topic":"tech"}');
    expect(message).toContain('yours: {"status":"rejected","labels":{"topic":"billing"}}');
    // Nothing was overwritten; the error object carries both values for a caller in the core.
    expect(await s.core.invoke('datasets.row', { datasetId: s.datasetId, rowId })).toMatchObject({ status: 'accepted', labels: { topic: 'tech' }, labelerId: ben.id, version: saved.version });
    let caught: unknown;
    try {
      s.core.datasets.label(s.datasetId, rowId, ana.id, { status: 'skipped' }, read.version);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RowConflictError);
    expect((caught as RowConflictError).stored).toMatchObject({ version: saved.version, status: 'accepted', savedBy: { id: ben.id, name: 'Ben' } });
    expect((caught as RowConflictError).yours).toEqual({ status: 'skipped' });
    // Undo changes the row too, so it moves the version on.
    const undone = await s.as(ben.id).call<{ row: { version: number } }>('datasets.undo', { datasetId: s.datasetId, labelerId: ben.id });
    expect(undone.row.version).toBe(saved.version + 1);
  });

  it('refuses a team submit when the row changed after it was served, and keeps the task in the queue', async () => {
    const s = await teamSetup(2, ['Ana']);
    opened.core(s.core);
    const [ana] = s.people;
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'round_robin', overlap: 0 });
    const { task } = await s.as(ana.id).call<{ task: Task }>('team.next', { assignmentId: a.id });
    const owner = (await s.core.invoke('session.whoami', {})).profileId;
    await s.core.invoke('datasets.label', { datasetId: s.datasetId, rowId: task.rowId, labelerId: owner, patch: { note: 'checked by the owner' } });
    const r = await s.as(ana.id).dispatch('team.submit', { taskId: task.taskId, patch: { status: 'accepted' }, baseVersion: task.row.version });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/changed after version 0 that your save was based on/) } });
    expect(await s.as(ana.id).call('team.myQueues', {})).toEqual([expect.objectContaining({ done: 0, remaining: 2, claimed: 1 })]);
    // Reloaded, the same task saves.
    const again = (await s.as(ana.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;
    expect(again.row.version).toBe(1);
    await s.as(ana.id).call('team.submit', { taskId: again.taskId, patch: { status: 'accepted' }, baseVersion: again.row.version });
    expect(await s.core.invoke('datasets.row', { datasetId: s.datasetId, rowId: task.rowId })).toMatchObject({ status: 'accepted', note: 'checked by the owner', version: 2 });
  });
});

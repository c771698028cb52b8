// A labeler's reach while a dataset has an open team assignment, through the dispatcher as a transport calls
// it: only the rows whose tasks are theirs, never another labeler's rows, queue or name on a row, through any
// command a labeler may call; a reviewer reads everything and resolves; a closed assignment reads as before.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands, type CommandName } from '../../shared/contract';
import type { DatasetInfo, DatasetRow, RowPage } from '../../shared/datasets.schema';
import { allowedCommands } from '../../shared/roles';
import type { QueueProgress, ReviewItem, ReviewRecord, Task } from '../../shared/team.schema';
import { closeAfterEach } from '../testing/closeAfterEach';
import { ROW_IN_SCOPE_SQL, SCOPE_SQL } from './teamScope';
import { teamSetup } from './testing/teamSetup';

const opened = closeAfterEach();
type Setup = Awaited<ReturnType<typeof teamSetup>>;

/** The top-level keys of a command's input (through defaults and pipes). */
function inputKeys(schema: unknown): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  const def = (schema as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
  if (def?.innerType) return inputKeys(def.innerType);
  if (def?.in) return inputKeys(def.in);
  return [];
}
const NAMES_DATA = new Set(['datasetId', 'rowId', 'rowIds', 'assignmentId', 'taskId', 'labelerId']);

/** Labels every task the profile is served; `patch` per row. */
async function labelAll(as: ReturnType<Setup['as']>, assignmentId: string, patch: (rowId: number) => object): Promise<number[]> {
  const rows: number[] = [];
  for (;;) {
    const { task } = await as.call<{ task: Task | null }>('team.next', { assignmentId });
    if (!task) return rows;
    rows.push(task.rowId);
    await as.call('team.submit', { taskId: task.taskId, patch: patch(task.rowId), baseVersion: task.row.version });
  }
}

describe('team scope', () => {
  it("keeps a labeler to the rows of their own queue through every command they may call; a reviewer reads all and resolves", async () => {
    const s = await teamSetup(10, ['Ana', 'Ben']);
    opened.core(s.core);
    const [ana, ben] = s.people;
    const rita = await s.core.invoke('profiles.create', { name: 'Rita', role: 'reviewer' });
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'round_robin', labelerIds: [ana.id, ben.id], overlap: 0.2, overlapK: 2 });
    const dealt = (id: string) => (s.core.db.prepare('SELECT DISTINCT row_id AS r FROM team_tasks WHERE labeler_id = ? ORDER BY r').all(id) as { r: number }[]).map((x) => x.r);
    const anaRows = dealt(ana.id);
    const benOnly = dealt(ben.id).filter((r) => !anaRows.includes(r));
    expect(anaRows.length + benOnly.length).toBe(10);
    const prompts = new Map((await s.core.invoke('datasets.rows', { datasetId: s.datasetId })).rows.map((r) => [r.id, r.prompt]));

    // Ana answers first; Ben agrees on the overlapped rows (so he saves them last), notes his own, rejects one.
    await labelAll(s.as(ana.id), a.id, () => ({ status: 'accepted', labels: { topic: 'billing' } }));
    const rejected = benOnly[0] as number;
    await labelAll(s.as(ben.id), a.id, (r) =>
      r === rejected ? { status: 'rejected' } : benOnly.includes(r) ? { status: 'accepted', labels: { topic: 'tech' }, note: "Ben's private note" } : { status: 'accepted', labels: { topic: 'billing' } },
    );
    const overlapped = anaRows.filter((r) => dealt(ben.id).includes(r));
    expect(overlapped).toHaveLength(2);
    expect((await s.core.invoke('datasets.row', { datasetId: s.datasetId, rowId: overlapped[0] as number })).labelerId).toBe(ben.id);

    const anaAs = s.as(ana.id);
    const page = await anaAs.call<RowPage>('datasets.rows', { datasetId: s.datasetId, limit: 100 });
    expect(page.rows.map((r) => r.id)).toEqual(anaRows);
    expect(page.total).toBe(anaRows.length);
    // Rows Ben saved last (the agreed overlapped ones) carry no name for her.
    for (const r of page.rows) expect([r.id, r.labelerId]).toEqual([r.id, overlapped.includes(r.id) ? null : ana.id]);
    expect((await anaAs.call<DatasetRow>('datasets.row', { datasetId: s.datasetId, rowId: overlapped[0] })).labelerId).toBeNull();
    const search = await anaAs.call<RowPage>('datasets.rows', { datasetId: s.datasetId, filter: { search: prompts.get(rejected) } });
    expect(search.rows).toEqual([]);
    expect((await anaAs.call<DatasetInfo>('datasets.get', { datasetId: s.datasetId })).labelers.map((l) => l.name)).toEqual(['Ana']);

    const benRow = { datasetId: s.datasetId, rowId: rejected };
    const benTask = (s.core.db.prepare('SELECT id FROM team_tasks WHERE labeler_id = ? AND row_id = ?').get(ben.id, rejected) as { id: number }).id;
    // Every command a labeler may call that names a dataset, row, assignment, task or labeler, with Ben's.
    const tried: Partial<Record<CommandName, { input: object; refused: string | null }>> = {
      'datasets.get': { input: { datasetId: s.datasetId }, refused: null },
      'datasets.rows': { input: { datasetId: s.datasetId, filter: { labelerId: ben.id } }, refused: 'FORBIDDEN' },
      'datasets.row': { input: benRow, refused: 'FORBIDDEN' },
      'datasets.label': { input: { ...benRow, labelerId: ana.id, patch: { note: 'peek' } }, refused: 'FORBIDDEN' },
      'datasets.undo': { input: { datasetId: s.datasetId, labelerId: ben.id }, refused: 'FORBIDDEN' },
      'datasets.stats': { input: { datasetId: s.datasetId }, refused: null },
      'datasets.draft': { input: { datasetId: s.datasetId, promptVersionId: 'v1', target: { kind: 'local', modelId: 'm1' }, rowIds: [rejected] }, refused: 'FORBIDDEN' },
      'datasets.jobs': { input: { datasetId: s.datasetId }, refused: null },
      'datasets.candidates': { input: { ...benRow, targets: [{ kind: 'local', modelId: 'm1' }, { kind: 'local', modelId: 'm1' }] }, refused: 'FORBIDDEN' },
      'team.next': { input: { assignmentId: a.id }, refused: null },
      'team.release': { input: { taskId: benTask }, refused: null },
      'team.submit': { input: { taskId: benTask, patch: { status: 'accepted' } }, refused: 'CONFLICT' },
    };
    const named = allowedCommands('labeler').filter((c) => inputKeys(commands[c].input).some((k) => NAMES_DATA.has(k)));
    expect(named.sort()).toEqual(Object.keys(tried).sort());
    const replies: [string, unknown][] = [];
    for (const [name, t] of Object.entries(tried)) {
      const r = await anaAs.dispatch(name, t.input);
      if (t.refused) expect([name, r]).toMatchObject([name, { ok: false, error: { code: t.refused } }]);
      else expect([name, r.ok]).toEqual([name, true]);
      replies.push([name, r]);
    }
    // And every command she may call without naming anything (lists, status, her queues).
    for (const name of allowedCommands('labeler').filter((c) => !named.includes(c))) replies.push([name, await anaAs.dispatch(name, {})]);
    for (const [name, r] of replies) {
      const text = JSON.stringify(r);
      for (const row of benOnly) expect([name, text]).not.toEqual([name, expect.stringContaining(`"${prompts.get(row)}`)]);
      expect([name, text]).not.toEqual([name, expect.stringContaining("Ben's private note")]);
      // His id is on the profile list (who exists), nowhere else (a refusal may echo the id she sent).
      if (name !== 'profiles.list' && (r as { ok: boolean }).ok) expect([name, text]).not.toEqual([name, expect.stringContaining(ben.id)]);
    }
    // Nothing was changed by her tries.
    expect(await s.core.invoke('datasets.row', benRow)).toMatchObject({ status: 'rejected', labelerId: ben.id, note: null });

    // The reviewer: every row with its labeler, the review queue, and a resolution that keeps who and when.
    const ritaAs = s.as(rita.id);
    const all = await ritaAs.call<RowPage>('datasets.rows', { datasetId: s.datasetId });
    expect(all.total).toBe(10);
    expect(all.rows.find((r) => r.id === rejected)?.labelerId).toBe(ben.id);
    expect(await ritaAs.call<QueueProgress[]>('team.queues', { assignmentId: a.id })).toHaveLength(2);
    const queue = await ritaAs.call<ReviewItem[]>('team.reviewQueue', { assignmentId: a.id });
    expect(queue.map((i) => [i.rowId, i.reason])).toEqual([[rejected, 'rejected']]);
    const { review } = await ritaAs.call<{ review: ReviewRecord }>('team.resolve', { assignmentId: a.id, rowId: rejected, patch: { status: 'accepted', labels: { topic: 'other' } }, baseVersion: queue[0]?.row.version });
    expect(review).toMatchObject({ kind: 'wrote', reviewerId: rita.id, reviewerName: 'Rita', rowId: rejected });
    expect(Math.abs(review.at - Date.now())).toBeLessThan(60_000);
    expect(await ritaAs.call('datasets.row', benRow)).toMatchObject({ status: 'accepted', labels: { topic: 'other' }, labelerId: rita.id });
    for (const name of ['team.start', 'team.close', 'datasets.export', 'datasets.remove'] as const) {
      const input = name === 'team.start' ? { datasetId: s.datasetId } : name === 'team.close' ? { assignmentId: a.id } : name === 'datasets.export' ? { datasetId: s.datasetId, format: 'messages', path: join(s.dir, 'x.jsonl') } : { datasetId: s.datasetId };
      expect([name, await ritaAs.dispatch(name, input)]).toMatchObject([name, { ok: false, error: { code: 'FORBIDDEN' } }]);
    }
    // Still not Ana's to read; once the assignment closes, the dataset reads as before (solo labeling).
    expect(await anaAs.dispatch('datasets.row', benRow)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/rowId: row \d+ is not in your queue/) } });
    await s.core.invoke('team.close', { assignmentId: a.id });
    expect((await anaAs.call<RowPage>('datasets.rows', { datasetId: s.datasetId })).total).toBe(10);
    expect((await anaAs.call<DatasetRow>('datasets.row', benRow)).labelerId).toBe(rita.id);
  });

  it('follows claims from a shared pool, scopes an analyst and an export too, and delivers team.progress to reviewers', async () => {
    const s = await teamSetup(6, ['Ana', 'Ben']);
    opened.core(s.core);
    const [ana, ben] = s.people;
    const rita = await s.core.invoke('profiles.create', { name: 'Rita', role: 'reviewer' });
    const al = await s.core.invoke('profiles.create', { name: 'Al', role: 'analyst' });
    const heard: string[] = [];
    s.core.onEventFor(rita.id, (name, p) => name === 'team.progress' && heard.push((p as QueueProgress).labelerId));
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'claim_next', overlap: 0 });
    const ids = async (who: string) => (await s.as(who).call<RowPage>('datasets.rows', { datasetId: s.datasetId })).rows.map((r) => r.id);
    expect(await ids(ana.id)).toEqual([]);
    const { task } = await s.as(ana.id).call<{ task: Task }>('team.next', { assignmentId: a.id });
    expect(task.row.labelerId).toBeNull();
    expect(await ids(ana.id)).toEqual([task.rowId]);
    expect(await ids(ben.id)).toEqual([]);
    await s.as(ana.id).call('team.submit', { taskId: task.taskId, patch: { status: 'accepted' }, baseVersion: task.row.version });
    expect(await ids(ana.id)).toEqual([task.rowId]);
    expect(heard).toEqual([ana.id]);
    // A conflict on her row shows both values but not who saved the other one.
    const saved = await s.as(rita.id).call<DatasetRow>('datasets.label', { datasetId: s.datasetId, rowId: task.rowId, labelerId: rita.id, patch: { note: 'checked twice' } });
    const stale = await s.as(ana.id).dispatch('datasets.label', { datasetId: s.datasetId, rowId: task.rowId, labelerId: ana.id, patch: { status: 'rejected' }, baseVersion: task.row.version });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(`someone saved version ${saved.version}`) } });
    expect(JSON.stringify(stale)).toContain('checked twice');
    expect(JSON.stringify(stale)).not.toContain('Rita');
    // Released, a claim leaves her scope.
    const second = (await s.as(ana.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;
    expect(await ids(ana.id)).toEqual([task.rowId, second.rowId]);
    await s.as(ana.id).call('team.release', { taskId: second.taskId });
    expect(await ids(ana.id)).toEqual([task.rowId]);
    // An analyst has no queue: no rows, and an export of none.
    expect(await ids(al.id)).toEqual([]);
    expect(await s.as(al.id).call('datasets.export', { datasetId: s.datasetId, format: 'messages', path: join(s.dir, 'al.jsonl') })).toMatchObject({ rows: 0 });
    expect((await ids(rita.id)).length).toBe(6);
  });

  it('reads a scope by index lookups, not a scan of the tasks', async () => {
    const s = await teamSetup(3, ['Ana']);
    opened.core(s.core);
    const plan = s.core.db.prepare(`EXPLAIN QUERY PLAN SELECT r.* FROM dataset_rows r WHERE r.dataset_id = ? AND ${SCOPE_SQL} ORDER BY r.id LIMIT 100`).all(...Array(9).fill('x')) as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/team_tasks_next/);
    expect(details).toMatch(/team_tasks_done/);
    expect(details).toMatch(/team_tasks_claimed/);
    expect(details).not.toMatch(/SCAN t\b/);
    // A single row's check (every save asks it) looks up that row's tasks only.
    const one = s.core.db.prepare(`EXPLAIN QUERY PLAN ${ROW_IN_SCOPE_SQL}`).all({ row: 1, ds: 'd', me: 'x' }) as { detail: string }[];
    expect(one.map((p) => p.detail).join('\n')).toMatch(/team_tasks_row/);
    expect(one.map((p) => p.detail).join('\n')).not.toMatch(/SCAN t\b/);
  });
});

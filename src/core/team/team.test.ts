// Team labeling through the real core and SQLite: assignment with overlap, each labeler's queue and
// progress, per-labeler answers on overlapped rows, agreement per field, review into the exported label.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cohenKappa } from '../../shared/agreement';
import type { LabelPatch } from '../../shared/datasets.schema';
import type { AgreementReport, Assignment, QueueProgress, ReviewItem, Task } from '../../shared/team.schema';
import { closeAfterEach } from '../testing/closeAfterEach';
import { teamSetup } from './testing/teamSetup';

const opened = closeAfterEach();

type Caller = Awaited<ReturnType<typeof teamSetup>>['as'];

/** Labels a labeler's whole queue with `answer(rowId)`; returns the rows they were served. */
async function labelAll(as: ReturnType<Caller>, assignmentId: string, answer: (task: Task) => LabelPatch): Promise<Task[]> {
  const served: Task[] = [];
  for (;;) {
    const { task } = await as.call<{ task: Task | null }>('team.next', { assignmentId });
    if (!task) return served;
    served.push(task);
    await as.call('team.submit', { taskId: task.taskId, patch: answer(task), baseVersion: task.row.version });
  }
}

describe('team labeling', () => {
  it('deals rows round-robin with overlap, keeps one answer per labeler, measures agreement, and exports the reviewed label', async () => {
    const s = await teamSetup(20, ['Ana', 'Ben']);
    const t = opened.core(s.core);
    const { datasetId, people, as, dir } = s;
    const [ana, ben] = people;
    const a = await t.invoke('team.start', { datasetId, mode: 'round_robin', overlap: 0.5, overlapK: 2 });
    expect(a).toMatchObject({ rows: 20, overlapRows: 10, tasks: 30, done: 0, labelerIds: [ana.id, ben.id], claimMinutes: 30 });

    const anaQ = await as(ana.id).call<{ done: number; remaining: number }[]>('team.myQueues', {});
    expect(anaQ).toEqual([expect.objectContaining({ assignmentId: a.id, done: 0, remaining: 15, pool: 0 })]);

    // Ana: billing everywhere. Ben: the same, except "tech" on four of the overlapped rows.
    const byAna = await labelAll(as(ana.id), a.id, () => ({ status: 'accepted', labels: { topic: 'billing' }, rating: 4 }));
    let differ = 0;
    const byBen = await labelAll(as(ben.id), a.id, (task) => {
      const topic = task.overlap && differ < 4 ? (differ++, 'tech') : 'billing';
      return { status: 'accepted', labels: { topic }, rating: 4 };
    });
    expect(byAna).toHaveLength(15);
    expect(byBen).toHaveLength(15);
    const overlapRows = byAna.filter((x) => x.overlap).map((x) => x.rowId);
    expect(byBen.filter((x) => x.overlap).map((x) => x.rowId).sort()).toEqual([...overlapRows].sort());
    // The non-overlapped rows went to one labeler each.
    const single = [...byAna, ...byBen].filter((x) => !x.overlap).map((x) => x.rowId);
    expect(new Set(single).size).toBe(10);
    expect(await as(ana.id).call('team.myQueues', {})).toEqual([expect.objectContaining({ done: 15, remaining: 0 })]);

    // Overlapped rows where both agreed carry the common answer; the four that differ wait for review.
    const review = await t.invoke('team.reviewQueue', { assignmentId: a.id });
    expect(review.map((r) => r.reason)).toEqual(['disagreement', 'disagreement', 'disagreement', 'disagreement']);
    expect(review[0]?.fields).toEqual(['topic']);
    expect(review[0]?.answers.map((x) => [x.name, x.patch.labels?.topic]).sort()).toEqual([['Ana', 'billing'], ['Ben', 'tech']]);
    expect(review[0]?.row.status).toBe('new');
    const agreed = overlapRows.find((r) => !review.some((x) => x.rowId === r)) as number;
    expect((await t.invoke('datasets.row', { datasetId, rowId: agreed })).labels).toEqual({ topic: 'billing' });

    const report: AgreementReport = await t.invoke('team.agreement', { assignmentId: a.id });
    expect(report.units).toBe(10);
    const topic = report.fields.find((f) => f.field === 'topic');
    expect(topic?.percent.value).toBeCloseTo(0.6, 12);
    const pairs = review.map(() => ['billing', 'tech']).concat(Array.from({ length: 6 }, () => ['billing', 'billing']));
    expect(topic?.cohen.value).toBeCloseTo(cohenKappa(pairs).value as number, 12);
    // Every rating was 4: alpha is undefined (null with the reason), not NaN.
    const rating = report.fields.find((f) => f.field === 'rating');
    expect(rating).toMatchObject({ level: 'ordinal', alpha: { value: null } });
    expect(rating?.alpha.reason).toMatch(/every value is the same/);
    expect(report.labelers.find((l) => l.labelerId === ana.id && l.field === 'topic')).toMatchObject({ pairs: 10, percent: 0.6 });
    expect(report.overTime.filter((p) => p.field === 'topic').reduce((s, p) => s + p.units, 0)).toBe(10);

    // Review: two by choosing Ben's answer, one by writing a new one; one left open.
    const [r1, r2, r3] = review as [ReviewItem, ReviewItem, ReviewItem];
    for (const r of [r1, r2]) await t.invoke('team.resolve', { assignmentId: a.id, rowId: r.rowId, chooseLabelerId: ben.id, baseVersion: r.row.version });
    const wrote = await t.invoke('team.resolve', { assignmentId: a.id, rowId: r3.rowId, patch: { status: 'accepted', labels: { topic: 'other' } }, baseVersion: r3.row.version });
    expect(wrote.row).toMatchObject({ status: 'accepted', labels: { topic: 'other' } });
    const owner = (await t.invoke('session.whoami', {})).profileId;
    expect(wrote.review).toMatchObject({ kind: 'wrote', reviewerId: owner, chosenLabelerId: null, rowVersion: wrote.row.version });
    expect(wrote.review.at).toBeGreaterThan(0);
    const history = await t.invoke('team.reviews', { assignmentId: a.id });
    expect(history.map((h) => [h.rowId, h.kind, h.chosenLabelerId])).toEqual([[r1.rowId, 'chose', ben.id], [r2.rowId, 'chose', ben.id], [r3.rowId, 'wrote', null]]);
    expect((await t.invoke('team.reviewQueue', { assignmentId: a.id })).map((r) => r.rowId)).toEqual([review[3]?.rowId]);

    // Export (accepted rows) reads the resolved labels: 10 single + 6 agreed + 3 resolved; the open one stays out.
    const out = await t.invoke('datasets.export', { datasetId, format: 'messages', path: join(dir, 'out.jsonl') });
    expect(out.rows).toBe(19);
    expect((await t.invoke('datasets.row', { datasetId, rowId: r1.rowId })).labels).toEqual({ topic: 'tech' });
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n')).toHaveLength(19);

    const dash = await t.invoke('team.dashboard', { assignmentId: a.id });
    expect(dash.perHour.reduce((s, h) => s + h.rows, 0)).toBe(30);
    expect(dash.queues.map((q) => [q.name, q.done, q.remaining])).toEqual([['Ana', 15, 0], ['Ben', 15, 0]]);
  });

  it('shares a claim-next pool: an overlapped row goes to k different labelers, and a rejected row reaches review', async () => {
    const s = await teamSetup(12, ['A', 'B', 'C']);
    opened.core(s.core);
    const a: Assignment = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'claim_next', overlap: 0.25, overlapK: 3 });
    expect(a).toMatchObject({ rows: 12, overlapRows: 3, tasks: 9 + 9 });
    const [p, q, r] = s.people;
    // Round by round, so everyone gets a share of the pool.
    const seen = new Map<string, number[]>();
    for (let round = 0; round < 20; round++) {
      for (const who of [p, q, r]) {
        const { task } = await s.as(who.id).call<{ task: Task | null }>('team.next', { assignmentId: a.id });
        if (!task) continue;
        seen.set(who.id, [...(seen.get(who.id) ?? []), task.rowId]);
        await s.as(who.id).call<QueueProgress>('team.submit', { taskId: task.taskId, patch: { status: task.rowId % 5 === 0 ? 'rejected' : 'accepted' }, baseVersion: task.row.version });
      }
    }
    const all = [...seen.values()].flat();
    expect(all).toHaveLength(18);
    for (const rows of seen.values()) expect(new Set(rows).size).toBe(rows.length); // nobody labelled a row twice
    const counts = new Map<number, number>();
    for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n === 3)).toHaveLength(3);
    expect([...counts.values()].filter((n) => n === 1)).toHaveLength(9);
    const rejected = [...counts.keys()].filter((id) => id % 5 === 0).sort((x, y) => x - y);
    const items = await s.core.invoke('team.reviewQueue', { assignmentId: a.id });
    expect(items.filter((i) => i.reason === 'rejected').map((i) => i.rowId).sort((x, y) => x - y)).toEqual(rejected);
  });

  it('deals by filter: each labeler the rows of their filter, the rest to the shared pool', async () => {
    const s = await teamSetup(21, ['Ana', 'Ben']);
    opened.core(s.core);
    const [ana, ben] = s.people;
    // Row texts say "topic N" with N = row % 7: three rows each of topics 1 and 2.
    const parts = [{ labelerId: ana.id, filter: { search: 'topic 1' } }, { labelerId: ben.id, filter: { search: 'topic 2' } }];
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'by_filter', parts, overlap: 0 });
    expect(a).toMatchObject({ rows: 21, tasks: 21, labelerIds: [ana.id, ben.id] });
    expect((await s.core.invoke('team.queues', { assignmentId: a.id })).map((q) => [q.name, q.remaining, q.pool])).toEqual([['Ana', 3, 15], ['Ben', 3, 15]]);
    const served = await labelAll(s.as(ana.id), a.id, () => ({ status: 'accepted' }));
    // Her own rows first, then the pool: all 18 rows not dealt to Ben.
    expect(served.slice(0, 3).every((t) => t.row.prompt.endsWith('topic 1'))).toBe(true);
    expect(served).toHaveLength(18);
    expect(served.some((t) => t.row.prompt.endsWith('topic 2'))).toBe(false);
  });

  it('removes the assignments with their dataset', async () => {
    const s = await teamSetup(4, ['Ana']);
    opened.core(s.core);
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, overlap: 0 });
    const { task } = await s.as(s.people[0]!.id).call<{ task: Task }>('team.next', { assignmentId: a.id });
    await s.as(s.people[0]!.id).call('team.submit', { taskId: task.taskId, patch: { status: 'rejected' } });
    await s.core.invoke('datasets.remove', { datasetId: s.datasetId });
    await s.core.datasets.idle();
    expect(await s.core.invoke('team.assignments', {})).toEqual([]);
    expect(s.core.db.prepare('SELECT (SELECT count(*) FROM team_tasks) + (SELECT count(*) FROM team_labels) AS n').get()).toEqual({ n: 0 });
  });

  it('refuses an assignment it cannot carry out, naming the field', async () => {
    const s = await teamSetup(5, ['Solo']);
    opened.core(s.core);
    await expect(s.core.invoke('team.start', { datasetId: s.datasetId, overlap: 0.2, overlapK: 2 })).rejects.toThrow(/overlapK: 2 labelers per overlapped row, but the assignment has 1/);
    await expect(s.core.invoke('team.start', { datasetId: s.datasetId, overlap: 0, filter: { search: 'no such text anywhere' } })).rejects.toThrow(/filter: selects no rows/);
    await expect(s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'by_filter', overlap: 0 })).rejects.toThrow(/parts: by_filter needs one filter per labeler/);
    const analyst = await s.core.invoke('profiles.create', { name: 'Ann', role: 'analyst' });
    await expect(s.core.invoke('team.start', { datasetId: s.datasetId, labelerIds: [analyst.id], overlap: 0 })).rejects.toThrow(/labelerIds: Ann \(analyst\) may not label/);
  });
});

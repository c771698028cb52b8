// Claims under concurrency, over real SQLite: claimers in one core, and claimers in separate processes
// each with its own connection to the same file. A task is served once; an overlapped row reaches k
// different labelers; a claim holds until it is released, submitted or runs out.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Task } from '../../shared/team.schema';
import { closeAfterEach } from '../testing/closeAfterEach';
import { CLAIM_OWN_SQL, CLAIM_POOL_SQL } from './team.repo';
import { teamSetup } from './testing/teamSetup';

const opened = closeAfterEach();
const LOOP = fileURLToPath(new URL('./testing/claimLoop.ts', import.meta.url));

/** Resolves `ready` once the child has opened the database; `done` with its claim lines. */
function claimLoop(file: string, assignmentId: string, labelers: string[], goFile: string, peers: number): { ready: Promise<void>; done: Promise<string[]> } {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, file, assignmentId, labelers.join(','), goFile, String(peers)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) onReady();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    // An early exit also releases `ready`, so the test fails with the child's error instead of hanging.
    child.on('exit', () => onReady());
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').filter((l) => l.startsWith('claim '))) : reject(new Error(`claim loop exited ${code}: ${err}`))));
  });
  return { ready, done };
}

describe('team claims', () => {
  it('serves each task once to 20 labelers claiming at the same time through one core', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `L${i}`);
    const s = await teamSetup(30, names);
    opened.core(s.core);
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'claim_next', overlap: 0 });
    const tasks = await Promise.all(s.people.map((p) => s.as(p.id).call<{ task: Task }>('team.next', { assignmentId: a.id })));
    const rows = tasks.map((t) => t.task.rowId);
    expect(new Set(rows).size).toBe(20);
    // Asking again returns the row already held, not a new one.
    const again = await s.as(s.people[0]!.id).call<{ task: Task }>('team.next', { assignmentId: a.id });
    expect(again.task.taskId).toBe(tasks[0]!.task.taskId);
  });

  it('serves no task twice to labelers in four processes with their own connections to the same file', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `P${i}`);
    const s = await teamSetup(200, names);
    opened.core(s.core);
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'claim_next', overlap: 0.2, overlapK: 3 });
    expect(a.tasks).toBe(160 + 40 * 3);
    const ids = s.people.map((p) => p.id);
    const go = join(s.dir, 'go');
    const loops = [0, 1, 2, 3].map((i) => claimLoop(join(s.dir, 'lamplight.db'), a.id, ids.slice(i * 3, i * 3 + 3), go, 4));
    await Promise.all(loops.map((l) => l.ready));
    writeFileSync(go, '');
    const outs = await Promise.all(loops.map((l) => l.done));
    const claims = outs.flat().map((line) => {
      const [, task, row, labeler] = line.split(' ') as [string, string, string, string];
      return { task: Number(task), row: Number(row), labeler };
    });
    expect(new Set(claims.map((c) => c.task)).size).toBe(claims.length);
    expect(claims).toHaveLength(280);
    const perRow = new Map<number, string[]>();
    for (const c of claims) perRow.set(c.row, [...(perRow.get(c.row) ?? []), c.labeler]);
    for (const labelers of perRow.values()) expect(new Set(labelers).size).toBe(labelers.length);
    expect([...perRow.values()].filter((l) => l.length === 3)).toHaveLength(40);
    // Every process got a share (each waits for the others' first claim: see claimLoop.ts).
    for (const out of outs) expect(out.length).toBeGreaterThan(0);
    expect((await s.core.invoke('team.assignments', {}))[0]).toMatchObject({ done: 280 });
  }, 120_000);

  it('holds a claim until it is released or runs out; a submit after someone else took the row is refused', async () => {
    const s = await teamSetup(3, ['A', 'B']);
    opened.core(s.core);
    const [pa, pb] = s.people;
    const a = await s.core.invoke('team.start', { datasetId: s.datasetId, mode: 'claim_next', overlap: 0, claimMinutes: 0.005 });
    const first = (await s.as(pa.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;
    const second = (await s.as(pb.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;
    expect(second.rowId).not.toBe(first.rowId);
    // Released: the next claimer gets it at once.
    expect(await s.as(pa.id).call('team.release', { taskId: first.taskId })).toEqual({ released: true });
    await s.as(pb.id).call('team.submit', { taskId: second.taskId, patch: { status: 'accepted' } });
    const held = (await s.as(pb.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;
    expect(held.taskId).toBe(first.taskId);
    // Runs out: once B's 300 ms claim has passed, A is served the row B held.
    while (Date.now() <= held.claimExpires) await new Promise((r) => setTimeout(r, 50));
    const taken = (await s.as(pa.id).call<{ task: Task }>('team.next', { assignmentId: a.id })).task;
    expect(taken.taskId).toBe(first.taskId);
    const late = await s.as(pb.id).dispatch('team.submit', { taskId: first.taskId, patch: { status: 'rejected' } });
    expect(late).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(!late.ok && late.error.message).toMatch(/is held by another labeler \(a claim you had ran out, or it was never yours\); nothing was saved/);
    await s.as(pa.id).call('team.submit', { taskId: first.taskId, patch: { status: 'accepted' } });
    expect((await s.core.invoke('datasets.row', { datasetId: s.datasetId, rowId: first.rowId })).status).toBe('accepted');
  });

  it('claims through indexes, never a scan of the assignment', async () => {
    const s = await teamSetup(2, ['A']);
    opened.core(s.core);
    const plan = (sql: string) =>
      (s.core.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ a: 'x', l: 'y', now: 0, exp: 1 }) as { detail: string }[]).map((r) => r.detail).join('\n');
    for (const sql of [CLAIM_OWN_SQL, CLAIM_POOL_SQL]) {
      expect(plan(sql)).not.toMatch(/SCAN/);
      expect(plan(sql)).toMatch(/USING INDEX team_tasks_next/);
    }
    expect(plan(CLAIM_POOL_SQL)).toMatch(/USING INDEX team_tasks_row/);
  });
});

// kill -9 while labeling: every label the app acknowledged (datasets.label returned) must be in the
// database afterwards, with the value it was given.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openTestCore, tempDir } from '../testing/testCore';
import { writeMessagesFile } from './testing/files';

const LOOP = fileURLToPath(new URL('./testing/labelLoop.ts', import.meta.url));

function labelUntilKilled(args: string[], killAfterAcks: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ack (\d+) (\S+)$/.exec(line);
        if (m) acked.set(Number(m[1]), m[2] as string);
        if (acked.size >= killAfterAcks && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`label loop exited ${code}: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('label durability', () => {
  it('loses no acknowledged label across repeated kill -9', async () => {
    const dir = tempDir('lamplight-kill-');
    const core = openTestCore({ dataDir: dir });
    const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(dir, 400), name: 'kill' });
    const profile = await core.invoke('profiles.create', { name: 'K' });
    const firstId = (await core.invoke('datasets.rows', { datasetId: dataset.id, limit: 1 })).rows[0]?.id as number;
    await core.close();

    const all = new Map<number, string>();
    const rounds = [7, 23, 2, 41, 13];
    let next = firstId;
    for (const [round, killAt] of rounds.entries()) {
      const acked = await labelUntilKilled([dir, dataset.id, profile.id, String(next), '60', `r${round}`], killAt);
      expect(acked.size).toBeGreaterThanOrEqual(killAt);
      for (const [k, v] of acked) all.set(k, v);
      next += 60;
    }
    const db = new Database(`${dir}/lamplight.db`, { readonly: true });
    const notes = new Map((db.prepare('SELECT id, note FROM dataset_rows WHERE note IS NOT NULL').all() as { id: number; note: string }[]).map((r) => [r.id, r.note]));
    db.close();
    const lost = [...all].filter(([id, note]) => notes.get(id) !== note);
    expect(lost).toEqual([]);
    expect(all.size).toBeGreaterThanOrEqual(86);
  }, 120_000);
});

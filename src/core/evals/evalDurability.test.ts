// kill -9 during an evaluation: cells finished in one turn are committed together, and a cell is reported
// done only after its commit — so every cell a progress event counted must be in the database afterwards,
// each with its finished run, and the audit log must still verify.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTestCore, tempDir } from '../testing/testCore';

const LOOP = fileURLToPath(new URL('./evalLoop.child.ts', import.meta.url));

function evalUntilKilled(dir: string, rows: number, killAtDone: number): Promise<{ evalId: string; reportedDone: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, dir, String(rows)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let evalId = '';
    let reportedDone = 0;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const e = /^eval (\S+)$/.exec(line);
        if (e) evalId = e[1] as string;
        const m = /^done (\d+)$/.exec(line);
        if (m) reportedDone = Math.max(reportedDone, Number(m[1]));
        if (reportedDone >= killAtDone && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ evalId, reportedDone }) : reject(new Error(`eval loop exited ${code} before the kill: ${stderr}`))));
  });
}

describe('evaluation durability', () => {
  it('keeps every cell reported done across kill -9, each with its finished run; the audit log verifies', async () => {
    for (const killAt of [10, 120]) {
      const dir = tempDir('lamplight-evalkill-');
      const { evalId, reportedDone } = await evalUntilKilled(dir, 2000, killAt);
      expect(reportedDone).toBeGreaterThanOrEqual(killAt);
      const db = new Database(join(dir, 'lamplight.db'), { readonly: true });
      const stored = db.prepare('SELECT count(*) AS n FROM eval_results WHERE eval_id = ?').get(evalId) as { n: number };
      const unfinished = db.prepare("SELECT count(*) AS n FROM eval_results x JOIN runs r ON r.id = x.run_id WHERE x.eval_id = ? AND r.status <> 'done'").get(evalId) as { n: number };
      db.close();
      expect(stored.n).toBeGreaterThanOrEqual(reportedDone);
      expect(unfinished.n).toBe(0);

      const core = openTestCore({ dataDir: dir });
      try {
        expect(core.evals.get(evalId)).toMatchObject({ status: 'interrupted', stored: stored.n });
        expect(await core.invoke('audit.verify', {})).toMatchObject({ ok: true });
      } finally {
        await core.close();
      }
    }
  }, 120_000);
});

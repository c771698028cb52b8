// bench:team — team labeling capacity of one team server (the browser host with TLS, one SQLite file in WAL):
// N labelers, each a WebSocket client with their own access link, loop claim (team.next) → read the row →
// save (team.submit) for a bounded time; then an open-loop ramp of the offered save rate (+step/s) until the
// save p95 passes 50 ms. Then, with every labeler saving flat out, the server is SIGKILLed mid-load and its
// database read: lost = acknowledged saves (reply received) whose answer is not there.
//   npm run bench:team -- [--json] [--rows 100000] [--labelers 20] [--mode claim_next|round_robin] [--steady-s 20] [--think-ms 100] [--step-s 4] [--step 50] [--max-rate 1500]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Mulberry32 } from '../src/shared/prng';
import { pct, progressLog, round } from './benchUtil';
import { Labeler, type SaveResult } from './teamClient';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rows: { type: 'string', default: '100000' },
    labelers: { type: 'string', default: '20' },
    mode: { type: 'string', default: 'claim_next' },
    'steady-s': { type: 'string', default: '20' },
    'think-ms': { type: 'string', default: '100' },
    'step-s': { type: 'string', default: '4' },
    step: { type: 'string', default: '50' },
    'max-rate': { type: 'string', default: '1500' },
  },
});
const ROWS = Number(values.rows);
const LABELERS = Number(values.labelers);
const MODE = values.mode === 'round_robin' ? 'round_robin' : 'claim_next';
const STEADY_MS = Number(values['steady-s']) * 1000;
const THINK_MS = Number(values['think-ms']);
const STEP_MS = Number(values['step-s']) * 1000;
const STEP = Number(values.step);
const MAX_RATE = Number(values['max-rate']);
const P95_GOAL_MS = 50;
const log = progressLog(values.json);

interface Ready {
  port: number;
  cert: string;
  fingerprint: string;
  assignmentId: string;
  rows: number;
  db: string;
  synchronous: number;
  journalMode: string;
  labelers: { id: string; token: string }[];
}

function startServer(dir: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/teamServer.ts', dir, String(ROWS), String(LABELERS), MODE], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => log(String(d).trimEnd()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      const m = /^READY (.*)$/m.exec(out);
      if (m) resolve({ child, ready: JSON.parse(m[1] as string) as Ready });
    });
    child.once('exit', (code) => reject(new Error(`team server exited with ${code} before it was ready`)));
  });
}

const summary = (xs: number[]) => (xs.length === 0 ? null : { p50: round(pct(xs, 50)), p95: round(pct(xs, 95)), p99: round(pct(xs, 99)) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closed loop: every labeler claims, reads, saves, thinks (THINK_MS on average), again, until the time is up. */
async function steady(labelers: Labeler[], assignmentId: string, acked: SaveResult[][]): Promise<{ saves: SaveResult[]; seconds: number }> {
  const saves: SaveResult[] = [];
  const until = performance.now() + STEADY_MS;
  const t0 = performance.now();
  await Promise.all(
    labelers.map(async (l, i) => {
      const prng = new Mulberry32(1000 + i);
      const pick = () => prng.nextUint32();
      // Spread the first claims over one think time, as people do not all click at once.
      await sleep((THINK_MS * i) / labelers.length);
      while (performance.now() < until) {
        const r = await l.step(assignmentId, pick);
        if (!r) break;
        saves.push(r);
        (acked[i] as SaveResult[]).push(r);
        // Think times vary (uniform 0.5–1.5× the mean): fixed ones fall into step and arrive as bursts of N.
        await sleep(THINK_MS * (0.5 + (pick() % 1000) / 1000));
      }
    }),
  );
  return { saves, seconds: (performance.now() - t0) / 1000 };
}

interface RampStep {
  offeredPerSec: number;
  achievedPerSec: number;
  saves: number;
  saveMs: ReturnType<typeof summary>;
  claimMs: ReturnType<typeof summary>;
  /** How late an operation started behind its schedule (all labelers busy): the backlog. */
  lateMs: ReturnType<typeof summary>;
  pass: boolean;
}

/**
 * Open loop at `rate` saves/s for one step: operations are due on a fixed schedule whatever the server does;
 * a due operation goes to the next free labeler (each holds one claim at a time, as in the UI).
 */
async function rampStep(labelers: Labeler[], assignmentId: string, rate: number, acked: SaveResult[][]): Promise<RampStep> {
  const free = labelers.map((_, i) => i);
  const due: number[] = [];
  const results: (SaveResult & { lateMs: number })[] = [];
  const prng = new Mulberry32(rate);
  const pick = () => prng.nextUint32();
  const total = Math.round((rate * STEP_MS) / 1000);
  const t0 = performance.now();
  let scheduled = 0;
  let inFlight = 0;
  let failed = 0;
  const dispatch = () => {
    const now = performance.now();
    while (scheduled < total && t0 + (scheduled * 1000) / rate <= now) due.push(t0 + (scheduled++ * 1000) / rate);
    while (due.length > 0 && free.length > 0) {
      const at = due.shift() as number;
      const i = free.shift() as number;
      inFlight++;
      const lateMs = performance.now() - at;
      (labelers[i] as Labeler)
        .step(assignmentId, pick)
        .then((r) => {
          if (r) {
            results.push({ ...r, lateMs });
            (acked[i] as SaveResult[]).push(r);
          }
        })
        .catch(() => failed++)
        .finally(() => {
          inFlight--;
          free.push(i);
          dispatch();
        });
    }
  };
  while (scheduled < total || due.length > 0 || inFlight > 0) {
    dispatch();
    await sleep(2);
  }
  const seconds = (performance.now() - t0) / 1000;
  const saveMs = summary(results.map((r) => r.saveMs));
  const achievedPerSec = round(results.length / seconds, 1);
  if (failed > 0) log(`  ${failed} operations failed at ${rate}/s`);
  return {
    offeredPerSec: rate,
    achievedPerSec,
    saves: results.length,
    saveMs,
    claimMs: summary(results.map((r) => r.claimMs)),
    lateMs: summary(results.map((r) => r.lateMs)),
    // Kept up: the schedule finished within a tenth of its time, and saves stayed under the goal.
    pass: failed === 0 && saveMs !== null && saveMs.p95 < P95_GOAL_MS && seconds <= (STEP_MS / 1000) * 1.1,
  };
}

/** Which acknowledged saves are in the database: the answer row (team_labels) and the task marked done by them. */
function verify(dbFile: string, acked: SaveResult[][], ids: string[]): { saved: number; lost: number; rowsLabelled: number } {
  const db = new Database(dbFile, { readonly: true });
  try {
    const has = db.prepare("SELECT 1 FROM team_labels l JOIN team_tasks t ON t.id = l.task_id WHERE l.task_id = ? AND l.labeler_id = ? AND t.state = 'done' AND t.done_by = ?");
    let lost = 0;
    acked.forEach((list, i) => {
      for (const r of list) if (!has.get(r.taskId, ids[i], ids[i])) lost++;
    });
    const saved = (db.prepare('SELECT count(*) AS n FROM team_labels').get() as { n: number }).n;
    const rowsLabelled = (db.prepare('SELECT count(*) AS n FROM dataset_rows WHERE labeled_at IS NOT NULL').get() as { n: number }).n;
    return { saved, lost, rowsLabelled };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-bench-team-'));
  let child: ChildProcess | null = null;
  try {
    log(`team server: ${ROWS} rows, ${LABELERS} labelers, TLS (self-signed)…`);
    const started = await startServer(dir);
    child = started.child;
    const { ready } = started;
    log(`ready on https://127.0.0.1:${ready.port} (certificate ${ready.fingerprint}); SQLite journal_mode=${ready.journalMode} synchronous=${ready.synchronous}`);
    const labelers = await Promise.all(ready.labelers.map((l) => Labeler.open(ready.port, l.id, l.token, ready.cert)));
    const acked: SaveResult[][] = labelers.map(() => []);

    log(`steady: ${LABELERS} labelers, ${THINK_MS} ms between saves each, ${STEADY_MS / 1000} s…`);
    const st = await steady(labelers, ready.assignmentId, acked);
    const saveMs = summary(st.saves.map((r) => r.saveMs));
    log(`  ${st.saves.length} saves, ${round(st.saves.length / st.seconds, 1)}/s, save p50/p95/p99 ${saveMs?.p50}/${saveMs?.p95}/${saveMs?.p99} ms`);

    const ramp: RampStep[] = [];
    for (let rate = STEP; rate <= MAX_RATE; rate += STEP) {
      const s = await rampStep(labelers, ready.assignmentId, rate, acked);
      ramp.push(s);
      log(`  ramp ${rate}/s: achieved ${s.achievedPerSec}/s, save p95 ${s.saveMs?.p95} ms, claim p95 ${s.claimMs?.p95} ms, late p95 ${s.lateMs?.p95} ms${s.pass ? '' : '  ← past the goal'}`);
      if (!s.pass) break;
    }
    const sustained = ramp.filter((s) => s.pass).reduce((m, s) => Math.max(m, s.offeredPerSec), 0);

    // The crash: every labeler saving flat out, and the server SIGKILLed in the middle. A save counts as
    // acknowledged only if its reply arrived before the kill; each of those must be in the database.
    const server = child;
    let killed = false;
    let crashAcked = 0;
    const crashing = labelers.map(async (l, i) => {
      const prng = new Mulberry32(9000 + i);
      while (!killed) {
        const r = await l.step(ready.assignmentId, () => prng.nextUint32()).catch(() => null);
        if (r && !killed) {
          (acked[i] as SaveResult[]).push(r);
          crashAcked++;
        }
        if (!r) break;
      }
    });
    await sleep(1000);
    const exited = new Promise((r) => server.once('exit', r));
    killed = true;
    server.kill('SIGKILL');
    await exited;
    await Promise.all(crashing);
    for (const l of labelers) l.close();
    child = null;
    const acknowledged = acked.reduce((n, l) => n + l.length, 0);
    const v = verify(ready.db, acked, ready.labelers.map((l) => l.id));
    const result = {
      labelers: LABELERS,
      rows: ready.rows,
      mode: MODE,
      tls: true,
      acknowledged,
      saved: v.saved,
      lost: v.lost,
      /** Acknowledged in the last second before the SIGKILL. */
      ackedBeforeKill: crashAcked,
      rowsLabelled: v.rowsLabelled,
      saveMs,
      claimMs: summary(st.saves.map((r) => r.claimMs)),
      steadySavesPerSec: round(st.saves.length / st.seconds, 1),
      thinkMs: THINK_MS,
      sustainedSavesPerSec: sustained,
      goals: { saveP95Ms: P95_GOAL_MS, sustainedSavesPerSec: 300 },
      sqlite: { journalMode: ready.journalMode, synchronous: ready.synchronous === 1 ? 'NORMAL' : ready.synchronous === 2 ? 'FULL' : String(ready.synchronous) },
      ramp,
    };
    log(`acknowledged ${acknowledged}, saved ${v.saved}, lost ${v.lost}; sustained ${sustained} saves/s with p95 < ${P95_GOAL_MS} ms`);
    process.stdout.write(JSON.stringify(result, null, values.json ? 0 : 2) + '\n');
  } finally {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:team failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

// npm run test:chaos -- [--json] [--iterations N] [--paths labels,import,runs,evals,audit] [--seed S]
// SIGKILLs a child process running the real core, again and again, while it writes along one path; after
// every kill the data folder is reopened (the restart) and checked: PRAGMA integrity_check, the audit
// chain and its checkpoint, and what the path promises (nothing acknowledged is lost, nothing is half).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../../src/core/createCore';
import { mulberry32 } from '../../src/shared/prng';
import { PATHS, type ChaosPath } from './chaosConfig';
import { dataDirOf, setupPath } from './chaosPaths';
import { startChaosServer } from './chaosServer';
import { prepareChild, runChild, type KillPlan } from './childRunner';

export interface ChaosOptions {
  iterations: number;
  paths: readonly ChaosPath[];
  seed: number;
  /** The real `lamplight audit verify` runs every this many iterations of a path (and after its last). */
  cliEvery: number;
  log?: (s: string) => void;
}

export interface PathReport {
  path: ChaosPath;
  iterations: number;
  killsAfterFirstAck: number;
  ackedWrites: number;
  writesLost: number;
  integrityFailures: number;
  verifyFailures: number;
  cliVerifies: number;
  /** Partial datasets, half rows, redone cells, unaudited changes, runs left running. */
  broken: number;
  /** Children that ended before the kill (a crash of their own) or hung. */
  childFailures: number;
  seconds: number;
  /** The first few problems, in words. */
  problems: string[];
}

export interface ChaosReport {
  paths: PathReport[];
  total: Omit<PathReport, 'path' | 'problems'>;
  ok: boolean;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const openCore = (dataDir: string): Core => createCore({ dataDir, version: '0.0.0-chaos', transport: 'browser-host' });

/** Exponential moving average of observed times, so kill delays follow this machine's pace. */
class Ema {
  constructor(public value: number) {}
  add(x: number | null): void {
    if (x !== null && Number.isFinite(x)) this.value = 0.8 * this.value + 0.2 * x;
  }
}

function cliVerify(dataDir: string): string | null {
  const r = spawnSync(process.execPath, ['bin/lamplight.mjs', '--data-dir', dataDir, 'audit', 'verify'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? null : `lamplight audit verify exited ${r.status ?? r.signal}: ${(r.stdout + r.stderr).trim().slice(0, 400)}`;
}

async function runPath(path: ChaosPath, root: string, baseUrl: string, o: ChaosOptions, rand: () => number): Promise<PathReport> {
  const t0 = performance.now();
  const dataDir = dataDirOf(root, path);
  const setupCore = openCore(dataDir);
  const runner = await setupPath(path, setupCore, dataDir, baseUrl);
  await setupCore.close();
  const cmd = await prepareChild();
  const r: PathReport = { path, iterations: 0, killsAfterFirstAck: 0, ackedWrites: 0, writesLost: 0, integrityFailures: 0, verifyFailures: 0, cliVerifies: 0, broken: 0, childFailures: 0, seconds: 0, problems: [] };
  const problem = (s: string) => {
    if (r.problems.length < 10) r.problems.push(s);
  };
  const ready = new Ema(700);
  const firstAck = new Ema(200);
  const gap = new Ema(40);

  for (let i = 0; i < o.iterations; i++) {
    // Most kills land between two acks; the rest at a delay from spawn that may hit start-up or the first write.
    const plan: KillPlan =
      rand() < 0.7
        ? { afterAcks: 1 + Math.floor(rand() * runner.maxAcks), thenMs: rand() * gap.value }
        : { afterSpawnMs: rand() * (ready.value + firstAck.value + (gap.value * runner.maxAcks) / 2) };
    const out = await runChild(cmd, runner.childConfig(`${path}${i}`, Math.floor(rand() * 2 ** 31)), plan);
    r.iterations++;
    ready.add(out.readyMs);
    if (out.readyMs !== null && out.firstAckMs !== null) firstAck.add(out.firstAckMs - out.readyMs);
    if (out.acks > 1 && out.firstAckMs !== null && out.lastAckMs !== null) gap.add((out.lastAckMs - out.firstAckMs) / (out.acks - 1));
    if (out.killedAfterFirstAck) r.killsAfterFirstAck++;
    if (!out.killed) {
      r.childFailures++;
      problem(`iteration ${i}: the child was not killed by the harness (exit ${out.exitCode}): ${out.stderr.trim().slice(-400)}`);
    }

    const core = openCore(dataDir);
    try {
      const integrity = core.db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') {
        r.integrityFailures++;
        problem(`iteration ${i}: integrity_check: ${String(integrity)}`);
      }
      const v = core.guard.audit.verify();
      if (!v.ok) {
        r.verifyFailures++;
        problem(`iteration ${i}: audit verify: ${v.message}`);
      }
      const c = await runner.check(core, out.lines);
      r.ackedWrites += c.acked;
      r.writesLost += c.lost.length;
      r.broken += c.broken.length;
      for (const s of [...c.lost, ...c.broken]) problem(`iteration ${i}: ${s}`);
    } finally {
      await core.close();
    }
    if ((i + 1) % o.cliEvery === 0 || i === o.iterations - 1) {
      r.cliVerifies++;
      const err = cliVerify(dataDir);
      if (err) {
        r.verifyFailures++;
        problem(`iteration ${i}: ${err}`);
      }
    }
    if ((i + 1) % 25 === 0) o.log?.(`${path}: ${i + 1}/${o.iterations} kills, ${r.ackedWrites} acked, ${r.writesLost} lost, ${r.broken} broken`);
  }
  r.seconds = Math.round((performance.now() - t0) / 100) / 10;
  return r;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const root = mkdtempSync(join(tmpdir(), 'lamplight-chaos-'));
  const server = await startChaosServer();
  const rand = mulberry32(o.seed);
  const paths: PathReport[] = [];
  try {
    for (const p of o.paths) paths.push(await runPath(p, root, server.baseUrl, o, rand));
  } finally {
    await server.close();
  }
  const sum = (k: keyof Omit<PathReport, 'path' | 'problems'>) => Math.round(paths.reduce((s, p) => s + p[k], 0) * 10) / 10;
  const total = {
    iterations: sum('iterations'),
    killsAfterFirstAck: sum('killsAfterFirstAck'),
    ackedWrites: sum('ackedWrites'),
    writesLost: sum('writesLost'),
    integrityFailures: sum('integrityFailures'),
    verifyFailures: sum('verifyFailures'),
    cliVerifies: sum('cliVerifies'),
    broken: sum('broken'),
    childFailures: sum('childFailures'),
    seconds: sum('seconds'),
  };
  const ok = total.writesLost + total.integrityFailures + total.verifyFailures + total.broken + total.childFailures === 0;
  if (ok) rmSync(root, { recursive: true, force: true });
  else o.log?.(`data folders kept for inspection: ${root}`);
  return { paths, total, ok };
}

export function parseArgs(argv: readonly string[]): ChaosOptions & { json: boolean } {
  const o = { iterations: 200, paths: [...PATHS] as ChaosPath[], seed: 1, cliEvery: 20, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (name: string, v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected an integer ≥ ${min}, got "${v}"`);
      return n;
    };
    if (a === '--json') o.json = true;
    else if (a === '--iterations') o.iterations = int(a, value(), 1);
    else if (a === '--seed') o.seed = int(a, value(), 0);
    else if (a === '--cli-every') o.cliEvery = int(a, value(), 1);
    else if (a === '--paths') {
      const names = value().split(',').map((s) => s.trim());
      const bad = names.filter((n) => !(PATHS as readonly string[]).includes(n));
      if (bad.length) throw new Error(`--paths: unknown path ${bad.join(', ')} (known: ${PATHS.join(', ')})`);
      o.paths = names as ChaosPath[];
    } else throw new Error(`unknown option ${a} (options: --json --iterations N --paths ${PATHS.join(',')} --seed S --cli-every N)`);
  }
  return o;
}

function table(r: ChaosReport): string {
  const cols = ['iterations', 'killsAfterFirstAck', 'ackedWrites', 'writesLost', 'integrityFailures', 'verifyFailures', 'cliVerifies', 'broken', 'childFailures', 'seconds'] as const;
  const rows = [...r.paths.map((p) => [p.path, ...cols.map((c) => String(p[c]))]), ['total', ...cols.map((c) => String(r.total[c]))]];
  const head = ['path', ...cols];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((s, i) => s.padStart(w[i] as number)).join('  ');
  const problems = r.paths.flatMap((p) => p.problems.map((s) => `  ${p.path}: ${s}`));
  return [line(head), ...rows.map(line), ...(problems.length ? ['problems:', ...problems] : []), r.ok ? 'OK: nothing lost, nothing broken' : 'FAILED'].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const report = await runChaos({ ...opts, log: (s) => process.stderr.write(s + '\n') });
  process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : table(report)) + '\n');
  process.exit(report.ok ? 0 : 1);
}

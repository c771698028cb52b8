// Starts one chaos child, reads its send/ack lines, and SIGKILLs it when the kill plan says. The child is
// bundled once with esbuild (tsx would spend ~0.5 s transpiling on every one of a thousand starts), and
// node-llama-cpp is replaced by a stub in that bundle: no path loads a model, and importing it costs
// ~0.25 s on an idle machine (1.5 s on a loaded one) per start. Everything else is the real core.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './chaosConfig';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = fileURLToPath(new URL('./chaosChild.ts', import.meta.url));
const LLAMA_STUB = fileURLToPath(new URL('./llamaStub.ts', import.meta.url));
/** Inside the repository (ignored out/), so the bundle's bare imports resolve to its node_modules. */
const BUNDLE = join(ROOT, 'out', 'chaos', 'chaosChild.mjs');

export interface ChildCommand {
  file: string;
  execArgv: string[];
}

/** The bundled child when esbuild (tsx's own dependency) is there; otherwise the source through tsx. */
export async function prepareChild(): Promise<ChildCommand> {
  try {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    mkdirSync(join(ROOT, 'out', 'chaos'), { recursive: true });
    await esbuild.build({
      entryPoints: [SOURCE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile: BUNDLE,
      logLevel: 'error',
      plugins: [{ name: 'llama-stub', setup: (b) => b.onResolve({ filter: /^node-llama-cpp$/ }, () => ({ path: LLAMA_STUB })) }],
    });
    return { file: BUNDLE, execArgv: [] };
  } catch (e) {
    process.stderr.write(`chaos: the child could not be bundled (${(e as Error).message.split('\n')[0]}); it runs through tsx\n`);
    return { file: SOURCE, execArgv: ['--import', 'tsx'] };
  }
}

export interface Line {
  kind: 'send' | 'ack' | 'info';
  words: string[];
  atMs: number;
}

/** When to kill: after the k-th ack plus a delay, or a delay from spawn (which may land before any ack). */
export type KillPlan = { afterAcks: number; thenMs: number } | { afterSpawnMs: number };

export interface ChildOutcome {
  lines: Line[];
  acks: number;
  readyMs: number | null;
  firstAckMs: number | null;
  lastAckMs: number | null;
  /** True when our SIGKILL ended it; false when it exited (or had to be stopped for hanging) on its own. */
  killed: boolean;
  killedAfterFirstAck: boolean;
  exitCode: number | null;
  stderr: string;
}

/** A child that neither acks nor exits within this is killed and reported. */
const HANG_MS = 60_000;

export function runChild(cmd: ChildCommand, config: ChildConfig, plan: KillPlan): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...cmd.execArgv, cmd.file, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const o: ChildOutcome = { lines: [], acks: 0, readyMs: null, firstAckMs: null, lastAckMs: null, killed: false, killedAfterFirstAck: false, exitCode: null, stderr: '' };
    let timer: NodeJS.Timeout | null = null;
    let killing = false;
    const kill = () => {
      if (killing || child.exitCode !== null) return;
      killing = true;
      o.killedAfterFirstAck = o.acks > 0;
      child.kill('SIGKILL');
    };
    const killIn = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(kill, Math.max(0, ms));
    };
    const hang = setTimeout(() => {
      o.stderr += `\n[chaos] the child hung for ${HANG_MS} ms and was killed`;
      kill();
      killing = false;
    }, HANG_MS);
    if ('afterSpawnMs' in plan) killIn(plan.afterSpawnMs);

    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const at = performance.now() - t0;
        const [kind, ...words] = text.split(' ');
        if (text === 'ready') o.readyMs = at;
        if (kind !== 'send' && kind !== 'ack' && kind !== 'info') continue;
        // Lines read after the kill was sent may be real (written just before); keep them all.
        o.lines.push({ kind, words, atMs: at });
        if (kind !== 'ack') continue;
        o.acks++;
        o.firstAckMs ??= at;
        o.lastAckMs = at;
        if ('afterAcks' in plan && o.acks === plan.afterAcks) killIn(plan.thenMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (o.stderr.length < 20_000) o.stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(hang);
      if (timer) clearTimeout(timer);
      o.killed = signal === 'SIGKILL' && killing;
      o.exitCode = code;
      resolve(o);
    });
  });
}

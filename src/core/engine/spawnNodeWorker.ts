// Starts the inference worker as a Node child process (browser host, CLI, tests). The Electron shell
// passes its own spawner that uses utilityProcess instead.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FromWorker, SpawnWorker, WorkerChannel } from './protocol';
import { StderrTail } from './stderrTail';

/**
 * The worker's environment: libuv's thread pool cut to one thread. node-llama-cpp runs every decode and every
 * sampling call as a libuv work item; with the default four pool threads (or two) a decode lands on a
 * different thread from one step to the next, and on these 2-vCPU machines a quarter to a third of the
 * decodes then took 2–6× their usual time (300M Q4_0, 2 threads, one sequence: decode p50 7.7 ms, p90 32 ms,
 * 64 tok/s; with one pool thread p50 6.2 ms, p90 6.7 ms, 140 tok/s — node-llama-cpp alone, no Lamplight code).
 * One thread runs the work items one after another, which is what a 2-thread decode needs anyway.
 * LAMPLIGHT_WORKER_UV_THREADPOOL_SIZE overrides it (measurements).
 */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, UV_THREADPOOL_SIZE: env.LAMPLIGHT_WORKER_UV_THREADPOOL_SIZE ?? '1' };
}

function workerEntry(): { file: string; execArgv: string[] } {
  const built = fileURLToPath(new URL('./engineWorker.js', import.meta.url));
  if (existsSync(built)) return { file: built, execArgv: [] };
  // Running from source (tsx): the worker is TypeScript too.
  return { file: fileURLToPath(new URL('./worker.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}

export const spawnNodeWorker: SpawnWorker = (): WorkerChannel => {
  const entry = workerEntry();
  const child = fork(entry.file, [], {
    execArgv: entry.execArgv,
    env: workerEnv(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const tail = new StderrTail();
  child.stderr?.on('data', (d: Buffer) => tail.push(d));
  let exited = false;
  return {
    pid: child.pid ?? null,
    send: (m) => {
      if (!exited && child.connected) child.send(m);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as FromWorker)),
    onExit: (listener) =>
      child.once('exit', (code, signal) => {
        exited = true;
        listener(code, signal);
      }),
    stderrTail: () => tail.text(),
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
};

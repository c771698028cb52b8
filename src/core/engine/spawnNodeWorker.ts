// Starts the inference worker as a Node child process (browser host, CLI, tests). The Electron shell
// passes its own spawner that uses utilityProcess instead.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FromWorker, SpawnWorker, WorkerChannel } from './protocol';
import { StderrTail } from './stderrTail';

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

// The engine worker as an Electron utilityProcess: a separate OS process, so a native abort in llama.cpp
// ends that process only. The core sees the same WorkerChannel as with a Node child process.
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import type { FromWorker, SpawnWorker, WorkerChannel } from '../core/engine/protocol';
import { StderrTail } from '../core/engine/stderrTail';
import { workerEnv } from '../core/engine/spawnNodeWorker';

export const spawnUtilityWorker: SpawnWorker = (): WorkerChannel => {
  const entry = fileURLToPath(new URL('./engineWorker.js', import.meta.url));
  const child = utilityProcess.fork(entry, [], { serviceName: 'Lamplight engine', stdio: 'pipe', env: workerEnv() });
  const tail = new StderrTail();
  child.stderr?.on('data', (d: Buffer) => tail.push(d));
  let exited = false;
  return {
    get pid() {
      return child.pid ?? null;
    },
    send: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (listener) => child.on('message', (m: unknown) => listener(m as FromWorker)),
    onExit: (listener) =>
      child.once('exit', (code: number) => {
        exited = true;
        listener(code, null);
      }),
    stderrTail: () => tail.text(),
    kill: () => {
      if (!exited) child.kill();
    },
  };
};

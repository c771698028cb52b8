// The two servers bench:server compares, each in its own process: Lamplight's `serve-api` (a child running
// the CLI) and llama.cpp's llama-server, on the same model, threads, slots and context per request.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtServer, type CpuVariant } from '../src/core/llamaServer/buildServer';
import { startLlamaServer } from '../src/core/llamaServer/llamaServerProcess';

export interface ServerSpec {
  model: string;
  threads: number;
  parallel: number;
  /** Tokens per request (per slot / per sequence). */
  contextPerSlot: number;
  /** llama-server's CPU kernels: 'auto' takes the avx512 build when there is one (like node-llama-cpp's). */
  llamaCpu?: CpuVariant | 'auto';
}

/** The llama-server binary for a spec, and which kernels it has. */
export function llamaBinary(s: Pick<ServerSpec, 'llamaCpu'>): { binary: string; cpu: CpuVariant } {
  const want = s.llamaCpu ?? 'auto';
  const tries: CpuVariant[] = want === 'auto' ? ['avx512', 'portable'] : [want];
  for (const cpu of tries) {
    const binary = builtServer('cpu', undefined, cpu);
    if (binary) return { binary, cpu };
  }
  const flag = want === 'avx512' ? ' --cpu avx512' : '';
  throw new Error(`llama-server${flag ? ' (avx512)' : ''} is not built: run \`npx lamplight engine build-server${flag}\` first (~5 min once, then cached)`);
}

export interface RunningServer {
  name: string;
  baseUrl: string;
  key: string | null;
  model: string;
  /** SIGSTOP / SIGCONT the server's processes: the server not being measured cannot take CPU (idle polling
   * threads, timers) from the one that is, on a 2-core machine. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Sends a signal to a process group (a negative pid), ignoring one that is already gone. */
function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already exited
  }
}

const CLI = fileURLToPath(new URL('../bin/lamplight.mjs', import.meta.url));

/** `lamplight serve-api` on a fresh data folder; resolves once it prints its base URL. */
export async function startLamplight(s: ServerSpec, variant: { name?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-bench-server-'));
  const key = 'bench-key-0123456789';
  const args = [CLI, '--data-dir', dataDir, 'serve-api', '--model', s.model, '--port', '0', '--gpu', 'cpu', '--key', key,
    '--parallel', String(s.parallel), '--threads', String(s.threads), '--context', String(s.contextPerSlot)];
  // Its own process group (the CLI and its inference worker), so pause/resume/kill reach both.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...variant.env }, detached: true });
  const killOnExit = () => signalGroup(child.pid, 'SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lamplight serve-api did not start within 180 s:\n${out.slice(-2000)}`)), 180_000);
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      const m = /base URL: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`lamplight serve-api exited (${sig ?? code}) before it was ready:\n${out.slice(-2000)}`));
    });
  });
  return {
    name: variant.name ?? 'lamplight',
    baseUrl,
    key,
    model: basename(s.model).replace(/\.gguf$/i, ''),
    pause: () => signalGroup(child.pid, 'SIGSTOP'),
    resume: () => signalGroup(child.pid, 'SIGCONT'),
    stop: async () => {
      process.off('exit', killOnExit);
      signalGroup(child.pid, 'SIGCONT');
      child.kill('SIGTERM');
      const hard = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 10_000);
      await gone;
      clearTimeout(hard);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** llama-server with -np slots and -c = slots × context per slot (its context is shared by the slots). */
export async function startLlama(s: ServerSpec): Promise<RunningServer> {
  const { binary } = llamaBinary(s);
  const server = await startLlamaServer({ binary, model: s.model, threads: s.threads, parallel: s.parallel, contextSize: s.contextPerSlot * s.parallel });
  const signal = (sig: NodeJS.Signals) => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(sig);
  };
  return {
    name: 'llama-server',
    baseUrl: server.baseUrl,
    key: null,
    model: basename(s.model).replace(/\.gguf$/i, ''),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: () => {
      signal('SIGCONT');
      return server.stop();
    },
  };
}

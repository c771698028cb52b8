// Starts a llama-server child on 127.0.0.1 and waits until /health says it is ready. Used as the real peer in
// tests and benchmarks; the child is killed with its parent's exit and has a bounded life when asked.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CoreError } from '../errors';

export interface LlamaServerOptions {
  binary: string;
  model: string;
  threads: number;
  contextSize?: number;
  /** Parallel slots (-np): requests decoded together by continuous batching. */
  parallel?: number;
  port?: number;
  /** Extra command-line flags (e.g. ['--mmproj', file]). */
  args?: string[];
  /** Kill the server after this long whatever happens (tests). */
  lifetimeMs?: number;
  readyTimeoutMs?: number;
  /** Pass --no-webui (default true); an older or newer build may not know the flag. */
  noWebui?: boolean;
  /**
   * Also kill the server when this process dies without running its exit handlers (SIGKILL, a native crash):
   * a tiny shell watchdog blocks on a pipe from us and kills the server when the pipe closes.
   */
  watchdog?: boolean;
}

export interface LlamaServer {
  /** http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  origin: string;
  port: number;
  child: ChildProcess;
  /** The last lines it printed (for error messages). */
  log(): string;
  /** Every whole line it prints from now on (stdout and stderr); returns the unsubscribe. */
  onLine(listener: (line: string) => void): () => void;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const TAIL_LINES = 60;

/**
 * Calls `onLine` with each whole line of the stream: a chunk can end mid-line (and mid-character), so the
 * partial rest waits for the next chunk; what is left at the end counts as a last line.
 */
export function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  stream.setEncoding('utf8');
  let rest = '';
  stream.on('data', (d: string) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) onLine(l.endsWith('\r') ? l.slice(0, -1) : l);
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
    rest = '';
  });
}

/** A shell that waits for EOF on its stdin (ours, never inherited further) and then kills `pid`. */
function startWatchdog(pid: number): ChildProcess {
  const w = spawn('sh', ['-c', 'read _ignored; kill -9 "$1" 2>/dev/null', 'lamplight-watchdog', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  w.on('error', () => undefined); // no sh: the exit handler still covers an orderly exit
  w.unref();
  (w.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return w;
}

export async function startLlamaServer(opts: LlamaServerOptions): Promise<LlamaServer> {
  const port = opts.port ?? (await freePort());
  const args = [
    '-m', opts.model,
    '--host', '127.0.0.1',
    '--port', String(port),
    '-t', String(opts.threads),
    '-tb', String(opts.threads),
    '-c', String(opts.contextSize ?? 4096),
    '-np', String(opts.parallel ?? 1),
    ...(opts.noWebui === false ? [] : ['--no-webui']),
    ...(opts.args ?? []),
  ];
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const keep = (l: string) => {
    if (!l.trim()) return;
    lines.push(l);
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
    for (const f of listeners) f(l);
  };
  if (child.stdout) splitLines(child.stdout, keep);
  if (child.stderr) splitLines(child.stderr, keep);
  let exited: string | null = null;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, sig) => {
      exited = sig ?? `exit ${code}`;
      resolve();
    }),
  );
  const guard = opts.watchdog && child.pid ? startWatchdog(child.pid) : null;
  const killOnExit = () => {
    child.kill('SIGKILL');
    guard?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void gone.then(() => guard?.kill('SIGKILL'));
  const life = opts.lifetimeMs ? setTimeout(() => child.kill('SIGKILL'), opts.lifetimeMs) : null;
  life?.unref();
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (life) clearTimeout(life);
    process.off('exit', killOnExit);
    if (exited === null) {
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(hard);
    }
  };
  const until = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited !== null) throw new CoreError('ENGINE', `llama-server stopped before it was ready (${exited}):\n${lines.slice(-10).join('\n')}`);
    try {
      const r = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new CoreError('ENGINE', `llama-server was not ready within ${opts.readyTimeoutMs ?? 120_000} ms:\n${lines.slice(-10).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const onLine = (f: (line: string) => void) => {
    listeners.add(f);
    return () => void listeners.delete(f);
  };
  return { baseUrl: `${origin}/v1`, origin, port, child, log: () => lines.join('\n'), onLine, stop };
}

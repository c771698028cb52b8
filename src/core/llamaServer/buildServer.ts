// Builds llama.cpp's own `llama-server` from the source node-llama-cpp ships (its gitRelease.bundle), so the
// test peer, the speed baseline and the vision engine run the same llama.cpp as the in-process engine.
// One cache per source commit and backend, outside the clone (the user's cache folder), so a second clone or
// CI on the same machine reuses it. Static build: the binary does not depend on the build folder.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreError } from '../errors';

export const SERVER_BACKENDS = ['cpu', 'cuda', 'vulkan', 'metal'] as const;
export type ServerBackend = (typeof SERVER_BACKENDS)[number];

/**
 * Which CPU kernels a CPU build compiles in. 'portable' (AVX2) runs anywhere x86-64-v3 does. 'avx512' adds
 * AVX-512 (VBMI, VNNI, BF16), the vector kernels node-llama-cpp's prebuilt engine picks on such CPUs, so a
 * speed comparison against the in-process engine is close to like for like. AMX is left out: its first tile
 * instruction (tilezero) raises SIGILL under this project's hypervisor, which is also why -march=native dies.
 */
export const CPU_VARIANTS = ['portable', 'avx512'] as const;
export type CpuVariant = (typeof CPU_VARIANTS)[number];

export interface LlamaSource {
  bundle: string;
  /** The commit the bundle holds: the cache key. */
  commit: string;
  /** node-llama-cpp's name for the release (llama/llama.cpp.info.json). */
  tag: string;
}

export interface BuildProgress {
  phase: 'source' | 'configure' | 'compile' | 'install' | 'done';
  /** 0–100 while compiling, as cmake reports it. */
  percent: number;
  line: string;
}

export interface BuildOptions {
  backend?: ServerBackend;
  /** CPU builds only; default 'portable'. */
  cpuVariant?: CpuVariant;
  cacheDir?: string;
  jobs?: number;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuiltServer {
  binary: string;
  backend: ServerBackend;
  commit: string;
  cached: boolean;
  seconds: number;
}

/** Where built servers live: $LAMPLIGHT_CACHE_DIR, else $XDG_CACHE_HOME/lamplight, else ~/.cache/lamplight. */
export function lamplightCacheDir(): string {
  if (process.env.LAMPLIGHT_CACHE_DIR) return process.env.LAMPLIGHT_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lamplight');
}

export function llamaSource(): LlamaSource {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    // The package's exports hide package.json; its main file lives in dist/.
    root = dirname(dirname(require.resolve('node-llama-cpp')));
  } catch {
    throw new CoreError('NOT_FOUND', 'node-llama-cpp is not installed here (run npm install).');
  }
  const bundle = join(root, 'llama', 'gitRelease.bundle');
  if (!existsSync(bundle)) throw new CoreError('NOT_FOUND', `llama.cpp source not found: ${bundle} is missing from node-llama-cpp's package.`);
  const heads = spawnSync('git', ['bundle', 'list-heads', bundle], { encoding: 'utf8' });
  if (heads.error) throw new CoreError('NOT_FOUND', 'git is needed to read llama.cpp\'s source bundle and was not found (Debian: apt-get install -y git).');
  const commit = /^([0-9a-f]{40})/m.exec(heads.stdout)?.[1];
  if (!commit) throw new CoreError('BAD_INPUT', `${bundle} is not a readable git bundle: ${heads.stderr.trim() || 'no heads listed'}`);
  let tag = 'unknown';
  try {
    tag = (JSON.parse(readFileSync(join(root, 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag?: string }).tag ?? tag;
  } catch {
    // the commit alone keys the cache
  }
  return { bundle, commit, tag };
}

function installDir(cacheDir: string, commit: string, backend: ServerBackend, cpuVariant: CpuVariant = 'portable'): string {
  const variant = backend === 'cpu' && cpuVariant !== 'portable' ? `-${cpuVariant}` : '';
  return join(cacheDir, 'llama-server', `${commit.slice(0, 12)}-${backend}${variant}`);
}

/** The built binary for this source, backend and CPU variant, or null when it has not been built yet. */
export function builtServer(backend: ServerBackend = 'cpu', cacheDir = lamplightCacheDir(), cpuVariant: CpuVariant = 'portable'): string | null {
  const bin = join(installDir(cacheDir, llamaSource().commit, backend, cpuVariant), 'bin', 'llama-server');
  return existsSync(bin) ? bin : null;
}

const AVX512_FLAGS = [...['AVX', 'AVX2', 'BMI2', 'FMA', 'F16C', 'AVX512', 'AVX512_VBMI', 'AVX512_VNNI', 'AVX512_BF16'].map((f) => `-DGGML_${f}=ON`), '-DGGML_AMX_TILE=OFF', '-DGGML_AMX_INT8=OFF'];

export function cmakeFlags(backend: ServerBackend, cpuVariant: CpuVariant = 'portable'): string[] {
  const common = [
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DLLAMA_CURL=OFF',
    '-DLLAMA_OPENSSL=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    // -march=native dies with an illegal instruction on these hypervisors' CPUs; the kernels are chosen by
    // explicit flags instead (see CPU_VARIANTS).
    '-DGGML_NATIVE=OFF',
  ];
  if (backend === 'cuda') return [...common, '-DGGML_CUDA=ON'];
  if (backend === 'vulkan') return [...common, '-DGGML_VULKAN=ON'];
  if (backend === 'metal') return [...common, '-DGGML_METAL=ON'];
  return cpuVariant === 'avx512' ? [...common, ...AVX512_FLAGS] : common;
}

function requireTool(name: string, hint: string): void {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (r.error) throw new CoreError('NOT_FOUND', `${name} is needed to build llama-server and was not found. ${hint}`);
}

/** Runs one build step in its own process group, so a cancel stops the compilers it started too. */
function step(cmd: string, args: string[], opts: { cwd: string; signal?: AbortSignal; onLine: (l: string) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new CoreError('CONFLICT', 'llama-server build cancelled'));
    const child = spawn(cmd, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trimEnd();
        buf = buf.slice(i + 1);
        tail.push(line);
        if (tail.length > 30) tail.shift();
        opts.onLine(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const abort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) => reject(new CoreError('INTERNAL', `${cmd} could not start: ${e.message}`)));
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', abort);
      if (opts.signal?.aborted) return reject(new CoreError('CONFLICT', 'llama-server build cancelled'));
      if (code === 0) return resolve();
      const why = tail.filter((l) => /error|Error|failed/.test(l)).slice(-5).join('\n') || tail.slice(-8).join('\n');
      reject(new CoreError('INTERNAL', `${cmd} ${args[0] ?? ''} failed (${sig ?? `exit ${code}`}):\n${why}`));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One build per install folder across processes: a lock folder holding the builder's pid. */
async function withLock<T>(lock: string, signal: AbortSignal | undefined, fn: () => Promise<T>, onWait: () => void): Promise<T> {
  mkdirSync(dirname(lock), { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (pid > 0 && !pidAlive(pid)) {
        rmSync(lock, { recursive: true, force: true }); // a builder that died
        continue;
      }
      if (!told) onWait();
      told = true;
      if (signal?.aborted) throw new CoreError('CONFLICT', 'llama-server build cancelled');
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds (or finds in the cache) llama-server for a backend. Progress is reported as cmake prints it. */
export async function buildLlamaServer(opts: BuildOptions = {}): Promise<BuiltServer> {
  const backend = opts.backend ?? 'cpu';
  const cpuVariant = opts.cpuVariant ?? 'portable';
  const t0 = Date.now();
  const src = llamaSource();
  const cacheDir = opts.cacheDir ?? lamplightCacheDir();
  const dest = installDir(cacheDir, src.commit, backend, cpuVariant);
  const binary = join(dest, 'bin', 'llama-server');
  const report = (p: BuildProgress) => opts.onProgress?.(p);
  if (existsSync(binary)) return { binary, backend, commit: src.commit, cached: true, seconds: 0 };
  requireTool('cmake', 'Debian: apt-get install -y cmake g++');
  requireTool(process.env.CXX || 'c++', 'Debian: apt-get install -y g++');

  return withLock(`${dest}.lock`, opts.signal, async () => {
    if (existsSync(binary)) return { binary, backend, commit: src.commit, cached: true, seconds: (Date.now() - t0) / 1000 };
    const work = `${dest}.work`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      const onLine = (phase: BuildProgress['phase']) => (line: string) => {
        const m = /^\[\s*(\d+)%\]/.exec(line);
        report({ phase, percent: m ? Number(m[1]) : phase === 'compile' ? -1 : 0, line });
      };
      report({ phase: 'source', percent: 0, line: `llama.cpp ${src.tag} (${src.commit.slice(0, 12)}) from ${src.bundle}` });
      await step('git', ['clone', '--quiet', src.bundle, 'src'], { cwd: work, signal: opts.signal, onLine: onLine('source') });
      await step('cmake', ['-S', 'src', '-B', 'build', ...cmakeFlags(backend, cpuVariant)], { cwd: work, signal: opts.signal, onLine: onLine('configure') });
      const jobs = String(opts.jobs ?? availableParallelism());
      await step('cmake', ['--build', 'build', '--target', 'llama-server', '-j', jobs], { cwd: work, signal: opts.signal, onLine: onLine('compile') });
      report({ phase: 'install', percent: 100, line: `installing into ${dest}` });
      const staged = `${dest}.staged`;
      rmSync(staged, { recursive: true, force: true });
      mkdirSync(join(staged, 'bin'), { recursive: true });
      copyFileSync(join(work, 'build', 'bin', 'llama-server'), join(staged, 'bin', 'llama-server'));
      chmodSync(join(staged, 'bin', 'llama-server'), 0o755);
      writeFileSync(join(staged, 'build-info.json'), JSON.stringify({ commit: src.commit, tag: src.tag, backend, cpuVariant, flags: cmakeFlags(backend, cpuVariant), builtAt: new Date().toISOString() }, null, 2));
      rmSync(dest, { recursive: true, force: true });
      renameSync(staged, dest); // the binary appears whole or not at all
      const seconds = (Date.now() - t0) / 1000;
      report({ phase: 'done', percent: 100, line: `built in ${seconds.toFixed(0)} s: ${binary}` });
      return { binary, backend, commit: src.commit, cached: false, seconds };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, () => report({ phase: 'source', percent: 0, line: `another process is building ${dest}; waiting for it` }));
}

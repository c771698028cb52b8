// Which llama-server the vision engine runs: the one set in Settings (a small JSON file in the data folder;
// the database has no app-settings table), else --server-bin, else llama-server on PATH, else the one built
// from node-llama-cpp's source for the engine's GPU backend.
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { getLlamaGpuTypes } from 'node-llama-cpp';
import type { VisionStatus } from '../../shared/vision.schema';
import { CoreError } from '../errors';
import { builtServer, type ServerBackend } from '../llamaServer/buildServer';

export type BinarySource = NonNullable<VisionStatus['binarySource']>;

export interface ResolvedBinary {
  binary: string;
  source: BinarySource;
  /** What the binary can offload to: known for a built one; for the user's own, the engine's GPU backend. */
  backend: ServerBackend;
}

/** Throws naming the path when it is missing, not a file, or not executable. */
export function checkExecutable(path: string, what: string): void {
  if (!existsSync(path)) throw new CoreError('NOT_FOUND', `${what} does not exist: ${path}`);
  if (!statSync(path).isFile()) throw new CoreError('BAD_INPUT', `${what} is not a file: ${path}`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new CoreError('BAD_INPUT', `${what} is not executable: ${path} (chmod +x it, or pick the llama-server binary itself)`);
  }
}

export class ServerBinarySetting {
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = join(dataDir, 'vision-settings.json');
  }

  get(): string | null {
    try {
      const v = (JSON.parse(readFileSync(this.file, 'utf8')) as { serverBinary?: unknown }).serverBinary;
      return typeof v === 'string' && v ? v : null;
    } catch {
      return null; // never set (or unreadable: the other sources still apply)
    }
  }

  set(path: string | null): void {
    if (path !== null) checkExecutable(path, 'llama-server binary');
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ serverBinary: path }, null, 2));
    renameSync(tmp, this.file);
  }
}

let gpuTypes: Promise<ServerBackend> | null = null;
/** The GPU backend node-llama-cpp can use here (cuda before vulkan before metal), 'cpu' when none. */
export function engineGpuBackend(): Promise<ServerBackend> {
  gpuTypes ??= getLlamaGpuTypes('supported')
    .then((types) => (['cuda', 'vulkan', 'metal'] as const).find((t) => types.includes(t)) ?? 'cpu')
    .catch(() => 'cpu' as const);
  return gpuTypes;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

function cpuHasAvx512(): boolean {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    return ['avx512_vbmi', 'avx512_vnni', 'avx512_bf16'].every((f) => flags.includes(f));
  } catch {
    return false;
  }
}

/** The built server for a backend: on CPU the AVX-512 build when this CPU runs it and it exists. */
export function builtFor(backend: ServerBackend, cacheDir?: string): string | null {
  if (backend === 'cpu' && cpuHasAvx512()) {
    const fast = builtServer('cpu', cacheDir, 'avx512');
    if (fast) return fast;
  }
  return builtServer(backend, cacheDir);
}

export interface ResolveOptions {
  setting: string | null;
  flag: string | null;
  /** The backend asked for in the load settings ('auto' = the engine's). */
  gpu: string;
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
}

export async function resolveServerBinary(o: ResolveOptions): Promise<ResolvedBinary> {
  const detected = await engineGpuBackend();
  const wanted: ServerBackend = o.gpu === 'auto' ? detected : (o.gpu as ServerBackend);
  if (o.setting) {
    checkExecutable(o.setting, 'llama-server binary set in Settings');
    return { binary: o.setting, source: 'settings', backend: wanted };
  }
  if (o.flag) {
    checkExecutable(o.flag, '--server-bin');
    return { binary: o.flag, source: 'flag', backend: wanted };
  }
  const fromPath = onPath('llama-server', o.env ?? process.env);
  if (fromPath) return { binary: fromPath, source: 'path', backend: wanted };
  const built = builtFor(wanted, o.cacheDir) ?? (wanted !== 'cpu' ? builtFor('cpu', o.cacheDir) : null);
  if (built) return { binary: built, source: 'built', backend: built.includes(`-${wanted}`) ? wanted : 'cpu' };
  throw new CoreError(
    'NOT_FOUND',
    `No llama-server found for vision models: build one (Settings → Build llama-server, or \`lamplight engine build-server${wanted === 'cpu' ? '' : ` --gpu ${wanted}`}\`), or point to one (Settings → llama-server binary, --server-bin PATH, or put llama-server on PATH).`,
  );
}

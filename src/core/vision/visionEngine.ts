// One llama-server child for a vision model: its command line from the model's load settings (as the text
// engine maps them), a loopback port of its own, a random API key, and a retry when another process takes
// the port between picking and binding.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { LoadSettings } from '../../shared/engine.schema';
import { CoreError } from '../errors';
import { freePort, startLlamaServer, type LlamaServer } from '../llamaServer/llamaServerProcess';
import { EncodeTimes } from './encodeTimes';

export interface VisionLaunch {
  binary: string;
  /** The backend the binary was built for; 'cpu' means no layers can be offloaded. */
  binaryBackend: 'cpu' | 'gpu';
  modelPath: string;
  projectorPath: string | null;
  /** The name the server answers to in /v1/models and accepts as `model`. */
  alias: string;
  settings: LoadSettings;
  blockCount: number | null;
  pickPort?: () => Promise<number>;
  readyTimeoutMs?: number;
}

export interface RunningVision {
  server: LlamaServer;
  apiKey: string;
  args: string[];
  /** Image encode times read from the server's log, per request. */
  encodes: EncodeTimes;
}

/** -ngl for these settings: 'auto'/'max' put every layer on the GPU of a GPU build; a CPU build gets 0. */
export function gpuLayersArg(settings: LoadSettings, binaryBackend: 'cpu' | 'gpu', blockCount: number | null): number {
  if (settings.gpu === 'cpu' || binaryBackend === 'cpu') return 0;
  if (typeof settings.gpuLayers === 'number') return settings.gpuLayers;
  // One more than the blocks: the output layer counts too; 999 when the header does not say.
  return blockCount !== null ? blockCount + 1 : 999;
}

export function threadsArg(settings: LoadSettings): number {
  return settings.threads > 0 ? settings.threads : availableParallelism();
}

const webuiFlag = new Map<string, Promise<boolean>>();
/** Whether this build knows --no-webui (asked once per binary through --help, off the event loop). */
export function knowsNoWebui(binary: string): Promise<boolean> {
  let v = webuiFlag.get(binary);
  if (!v) {
    v = new Promise((resolve) =>
      execFile(binary, ['--help'], { timeout: 15_000, maxBuffer: 4 << 20 }, (_e, stdout, stderr) => resolve(/--no-webui/.test(`${stdout}${stderr}`))),
    );
    webuiFlag.set(binary, v);
  }
  return v;
}

const BIND_FAILED = /couldn't bind|address already in use/i;

export async function launchVision(l: VisionLaunch): Promise<RunningVision> {
  const apiKey = randomBytes(24).toString('base64url');
  const threads = threadsArg(l.settings);
  const args = [
    '-b', String(l.settings.batchSize),
    // A CPU build warns about any -ngl ("no usable GPU found"), and has nothing to offload anyway.
    ...(l.binaryBackend === 'gpu' ? ['-ngl', String(gpuLayersArg(l.settings, l.binaryBackend, l.blockCount))] : []),
    '--alias', l.alias,
    '--api-key', apiKey,
    ...(l.projectorPath ? ['--mmproj', l.projectorPath] : []),
    // Trace level: the only level that prints the lines an image's encode time is read from (~40 lines,
    // ~3.4 KB per request whatever its length; no per-token lines).
    '-lv', '4',
  ];
  const pick = l.pickPort ?? freePort;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await pick();
    try {
      const server = await startLlamaServer({
        binary: l.binary,
        model: l.modelPath,
        threads,
        contextSize: l.settings.contextSize,
        parallel: l.settings.sequences,
        port,
        args,
        noWebui: await knowsNoWebui(l.binary),
        watchdog: true,
        readyTimeoutMs: l.readyTimeoutMs,
      });
      const encodes = new EncodeTimes();
      server.onLine((line) => encodes.line(line));
      return { server, apiKey, args: redactKey(args, apiKey), encodes };
    } catch (e) {
      lastError = e;
      // Another process bound the port after we picked it: pick again. Anything else is the real failure.
      if (!(e instanceof Error && BIND_FAILED.test(e.message))) throw e;
    }
  }
  throw new CoreError('ENGINE', `llama-server could not bind a loopback port after 5 tries: ${(lastError as Error).message}`);
}

function redactKey(args: string[], key: string): string[] {
  return args.map((a) => (a === key ? '***' : a));
}

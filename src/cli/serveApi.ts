import { ApiServerSettings } from '../shared/apiServer.schema';
import { GpuBackend, LoadSettings } from '../shared/engine.schema';
import { parseListen } from '../core/tls/tls';
import { parseFlags, UsageError, type Command } from './main';
import { resolveModel } from './resolveModel';
import { tlsModeFor } from './tlsFlags';

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${v}"`);
  return n;
}

function issues(e: { issues: { path: PropertyKey[]; message: string }[] }, flags: Record<string, string>): string {
  return e.issues.map((i) => `${flags[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; ');
}

/**
 * --listen/--tls* into host, port and TLS mode, refused before the model loads: misuse exits 2, plain HTTP
 * off loopback exits 1 with the reason (the same rule as `serve`).
 */
function network(values: Record<string, string | boolean | undefined>): { host: string; port?: number; tls: 'none' | 'self-signed' | 'files' } {
  const str = (k: string) => values[k] as string | undefined;
  if (str('listen') !== undefined && str('port') !== undefined) throw new UsageError('give --listen HOST:PORT or --port P, not both');
  let listen: { host: string; port?: number } = { host: '127.0.0.1' };
  if (str('listen') !== undefined) {
    try {
      listen = parseListen(str('listen') as string);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const mode = tlsModeFor(str, listen.host, 'API keys');
  return { ...listen, tls: mode };
}

export const serveApiCommand: Command = {
  summary: 'serve a local GGUF model over an OpenAI-compatible API (127.0.0.1, or a team address with TLS)',
  usage: [
    'Usage: lamplight serve-api --model FILE_OR_ID [options]',
    '',
    'Loads the model and serves it like the OpenAI API (GET /v1/models, POST /v1/chat/completions,',
    '/v1/completions, /v1/embeddings) on 127.0.0.1 only. Every request needs the bearer key; every',
    'generation is stored in the run history. Stop with Ctrl+C.',
    '',
    '  --model FILE_OR_ID   a .gguf path (added to the library if new) or a model id',
    '  --port P             port on 127.0.0.1 (default 8181; 0 picks a free one)',
    '  --listen HOST:PORT   address to listen on, e.g. 0.0.0.0:8443; other than loopback needs TLS',
    '  --tls self-signed    make a certificate once (DATA/tls/, shared with serve), print its fingerprint',
    '  --tls-cert F --tls-key F   serve this certificate and key (PEM)',
    '  --key K              the owner\'s bearer key (8+ characters; default: a random one, printed once).',
    '                       Per-profile keys with limits, quotas and budgets: apiServer.issueKey (admin).',
    '                       GET /metrics (Prometheus) takes this key or a key issued with scope "metrics".',
    '  --parallel N         requests that decode at once, 1–16 (default 2)',
    '  --threads N          (default: all available cores)   --context N  tokens per request (default 4096)',
    '  --gpu BACKEND        auto, cuda, vulkan, metal or cpu (default auto)',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseFlags(ctx.args, {
      model: { type: 'string' },
      port: { type: 'string' },
      key: { type: 'string' },
      parallel: { type: 'string' },
      threads: { type: 'string' },
      context: { type: 'string' },
      gpu: { type: 'string' },
      listen: { type: 'string' },
      tls: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    });
    const net = network(values);
    if (!values.model) throw new UsageError('--model is required');
    const api = ApiServerSettings.safeParse({
      port: net.port ?? int('port', values.port),
      host: net.host,
      tls: net.tls,
      tlsCert: values['tls-cert'] ?? null,
      tlsKey: values['tls-key'] ?? null,
      key: values.key ?? null,
      parallel: int('parallel', values.parallel),
    });
    if (!api.success) throw new UsageError(issues(api.error, { port: '--port', key: '--key', parallel: '--parallel', host: '--listen' }));
    const gpu = GpuBackend.safeParse(values.gpu ?? 'auto');
    if (!gpu.success) throw new UsageError(`--gpu must be one of ${GpuBackend.options.join(', ')}, got "${values.gpu}"`);
    const load = LoadSettings.safeParse({
      gpu: gpu.data,
      threads: int('threads', values.threads),
      contextSize: int('context', values.context),
      sequences: api.data.parallel,
    });
    if (!load.success) throw new UsageError(issues(load.error, { threads: '--threads', contextSize: '--context' }));

    const core = ctx.openCore();
    try {
      const model = await resolveModel(core, values.model);
      ctx.err(`Loading ${model.fileName}…\n`);
      await core.invoke('engine.load', { modelId: model.id, settings: load.data });
      const { status, key } = await core.invoke('apiServer.start', api.data);
      ctx.out(`Lamplight ${ctx.version} — OpenAI-compatible API\n  model: ${model.fileName.replace(/\.gguf$/i, '')}\n  base URL: ${status.baseUrl}\n`);
      // A key the user chose is theirs already; only a generated one is shown, once.
      if (values.key === undefined) ctx.out(`  key: ${key}\n`);
      if (status.fingerprint) ctx.out(`  certificate SHA-256 fingerprint: ${status.fingerprint}\n  (clients check it before trusting the certificate)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      ctx.out('Stopping…\n');
      await core.invoke('apiServer.stop', {});
      return 0;
    } finally {
      await core.close();
    }
  },
};

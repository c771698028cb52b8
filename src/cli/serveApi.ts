import { ApiServerSettings } from '../shared/apiServer.schema';
import { GpuBackend, LoadSettings } from '../shared/engine.schema';
import { parseFlags, UsageError, type Command } from './main';
import { resolveModel } from './resolveModel';

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${v}"`);
  return n;
}

function issues(e: { issues: { path: PropertyKey[]; message: string }[] }, flags: Record<string, string>): string {
  return e.issues.map((i) => `${flags[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; ');
}

export const serveApiCommand: Command = {
  summary: 'serve a local GGUF model over an OpenAI-compatible API on 127.0.0.1',
  usage: [
    'Usage: lamplight serve-api --model FILE_OR_ID [options]',
    '',
    'Loads the model and serves it like the OpenAI API (GET /v1/models, POST /v1/chat/completions,',
    '/v1/completions, /v1/embeddings) on 127.0.0.1 only. Every request needs the bearer key; every',
    'generation is stored in the run history. Stop with Ctrl+C.',
    '',
    '  --model FILE_OR_ID   a .gguf path (added to the library if new) or a model id',
    '  --port P             port to listen on (default 8181; 0 picks a free one)',
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
    });
    if (!values.model) throw new UsageError('--model is required');
    const api = ApiServerSettings.safeParse({
      port: int('port', values.port),
      key: values.key ?? null,
      parallel: int('parallel', values.parallel),
    });
    if (!api.success) throw new UsageError(issues(api.error, { port: '--port', key: '--key', parallel: '--parallel' }));
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

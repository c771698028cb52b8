// `lamplight run`: one prompt on a local GGUF model (node-llama-cpp), on a local vision model with its
// projector (the vision engine, llama-server --mmproj) when images are given, or on an OpenAI-compatible
// URL (--target-url, nothing stored about the server but the run). The run is stored like any other.
import { createCore, type Core } from '../core/createCore';
import { FileSecretStore } from '../core/secrets/secretStore';
import { adHocSecrets } from './adHocSecrets';
import { LoadSettings } from '../shared/engine.schema';
import { ulid } from '../shared/ids';
import type { PromptImage } from '../shared/images.schema';
import { SamplingParams, type RunRecord, type RunRequestInput, type RunTarget } from '../shared/runs.schema';
import { parseFlags, UsageError, type CliContext, type Command } from './main';
import { resolveModel } from './resolveModel';

function num(name: string, v: string | undefined, int = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'}, got "${v}"`);
  return n;
}

const FLAGS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  system: { type: 'string' },
  var: { type: 'string', multiple: true },
  image: { type: 'string', multiple: true },
  mmproj: { type: 'string' },
  'target-url': { type: 'string' },
  key: { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'min-p': { type: 'string' },
  'repeat-penalty': { type: 'string' },
  stop: { type: 'string', multiple: true },
  threads: { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const runCommand: Command = {
  summary: 'run one prompt (with images, if given) on a local GGUF model or an OpenAI-compatible URL, and store the run',
  usage: [
    'Usage: lamplight run --model FILE_OR_ID --prompt TEXT [options]',
    '       lamplight run --model FILE_OR_ID --mmproj PROJECTOR --image FILE [--image FILE…] --prompt TEXT [--json]',
    '       lamplight run --target-url URL --model NAME [--image FILE…] --prompt TEXT [--key KEY] [--json]',
    '',
    '  --model FILE_OR_ID   a .gguf path (added to the library if new) or a model id; with --target-url, the server\'s model name',
    '  --prompt TEXT        the user message; {{name}} placeholders take --var name=value',
    '  --system TEXT        system prompt',
    '  --var NAME=VALUE     a variable value (repeatable)',
    '  --image FILE         an image sent before the text (repeatable; PNG, JPEG, WebP, GIF first frame)',
    '  --mmproj FILE        the model\'s vision projector (mmproj-*.gguf): runs on llama-server, started and stopped here',
    '                       (the binary: the global --server-bin, Settings, PATH, or the one engine build-server built)',
    '  --target-url URL     an OpenAI-compatible base URL (e.g. http://host:8000/v1); given --image it is taken to accept images',
    '  --key KEY            its API key (or LAMPLIGHT_API_KEY); kept in memory only',
    '  --max-tokens N       (default 256)    --temperature T (default 0.8)   --seed N',
    '  --top-k N  --top-p P  --min-p P  --repeat-penalty R  --stop TEXT (repeatable)',
    '  --threads N          (default: all available cores)   --context N (default 4096)',
    '  --json               print the stored run as JSON (with image metrics) instead of streaming text',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseFlags(ctx.args, FLAGS);
    if (!values.model) throw new UsageError('--model is required');
    if (values.prompt === undefined) throw new UsageError('--prompt is required');
    if (values.mmproj && values['target-url']) throw new UsageError('give --mmproj (a local vision model) or --target-url, not both');
    const variables: Record<string, string> = {};
    for (const v of values.var ?? []) {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`--var must be NAME=VALUE, got "${v}"`);
      variables[v.slice(0, eq)] = v.slice(eq + 1);
    }
    const params = SamplingParams.safeParse({
      maxTokens: num('max-tokens', values['max-tokens'], true),
      temperature: num('temperature', values.temperature),
      seed: num('seed', values.seed, true) ?? null,
      topK: num('top-k', values['top-k'], true),
      topP: num('top-p', values['top-p']),
      minP: num('min-p', values['min-p']),
      repeatPenalty: num('repeat-penalty', values['repeat-penalty']),
      stop: values.stop ?? [],
    });
    if (!params.success) throw new UsageError(params.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const settings = LoadSettings.parse({ threads: num('threads', values.threads, true), contextSize: num('context', values.context, true), gpu: 'cpu' });
    const files = values.image ?? [];
    const prompt = { systemPrompt: values.system ?? '', userMessage: values.prompt, variables, params: params.data };
    const json = values.json === true;

    const url = values['target-url'];
    if (url) {
      // A temporary target with the key in memory; removed afterwards (the run stays in history).
      const core = createCore({ dataDir: ctx.dataDir, version: ctx.version, transport: 'browser-host', secrets: adHocSecrets(new FileSecretStore(ctx.dataDir)) });
      let targetId: string | null = null;
      try {
        const key = values.key ?? process.env.LAMPLIGHT_API_KEY ?? null;
        const t = await core.invoke('targets.add', { name: new URL(url).host, baseUrls: [url], apiKey: key, maxRetries: 0, acceptsImages: files.length > 0 ? 'yes' : 'auto' });
        targetId = t.id;
        const images = await addImages(core, files);
        return await runOnce(core, ctx, json, { ...prompt, target: { kind: 'remote', targetId: t.id, model: values.model }, images }, '');
      } finally {
        if (targetId) await core.invoke('targets.remove', { targetId }).catch(() => undefined);
        await core.close();
      }
    }

    const core = ctx.openCore();
    const model = await resolveModel(core, values.model);
    if (files.length === 0 && !values.mmproj) {
      if (!json) ctx.err(`Loading ${model.fileName}…\n`);
      const status = await core.invoke('engine.load', { modelId: model.id, settings });
      return await runOnce(core, ctx, json, { ...prompt, modelId: model.id }, `${status.effective?.threads ?? '?'} threads`);
    }
    const projector = values.mmproj ?? (await core.invoke('vision.findProjector', { modelId: model.id }))?.path;
    if (!projector) throw new UsageError(`--image on a local model needs its projector: --mmproj FILE (none found beside ${model.fileName})`);
    const images = await addImages(core, files);
    if (!json) ctx.err(`Starting llama-server with ${model.fileName} and ${projector}…\n`);
    await core.invoke('vision.load', { modelId: model.id, projectorPath: projector, settings });
    try {
      const target: RunTarget = { kind: 'local', modelId: model.id };
      return await runOnce(core, ctx, json, { ...prompt, target, images }, 'vision engine');
    } finally {
      await core.invoke('vision.unload', {}).catch(() => undefined);
    }
  },
};

/** Adds each file to the image store; a bad file fails the command naming it and the reason. */
async function addImages(core: Core, files: readonly string[]): Promise<PromptImage[]> {
  const out: PromptImage[] = [];
  for (const path of files) {
    try {
      const img = await core.invoke('images.add', { path });
      out.push({ hash: img.hash, name: img.name });
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.includes(path) ? `--image: ${msg}` : `--image ${path}: ${msg}`);
    }
  }
  return out;
}

/** Starts the run, streams its text (or prints the stored record with --json), and returns the exit code. */
async function runOnce(core: Core, ctx: CliContext, json: boolean, req: Omit<RunRequestInput, 'runId'>, where: string): Promise<number> {
  // The run id is chosen here, so its chunks and its runs.finished event are known before the reply.
  const runId = ulid();
  const off = json ? () => undefined : core.on('runs.chunk', (c) => c.runId === runId && ctx.out(c.text));
  let offFinished = () => {};
  const finished = new Promise<RunRecord>((resolve) => {
    offFinished = core.on('runs.finished', (r) => r.id === runId && resolve(r));
  });
  try {
    await core.invoke('runs.start', { ...req, runId });
  } catch (e) {
    off();
    offFinished();
    throw e;
  }
  const stop = () => void core.invoke('runs.cancel', { runId });
  process.once('SIGINT', stop);
  const record = await finished;
  process.off('SIGINT', stop);
  off();
  offFinished();
  if (json) ctx.out(JSON.stringify(record, null, 2) + '\n');
  else {
    const tps = record.decodeTokPerSec?.toFixed(1) ?? '—';
    const imgs = record.images?.length
      ? `, ${record.images.length} image(s) ${record.imageTokens ?? '?'} tokens, prepared in ${record.imagePrepareMs?.toFixed(0) ?? '—'} ms`
      : '';
    ctx.err(`\n\n[${record.stopReason}] ${record.completionTokens ?? 0} tokens, TTFT ${record.ttftMs?.toFixed(0) ?? '—'} ms, ${tps} tok/s${imgs}${where ? `, ${where}` : ''} · run ${record.id}\n`);
  }
  if (record.error) {
    if (!json) ctx.err(`error: ${record.error}\n`);
    return 1;
  }
  return 0;
}

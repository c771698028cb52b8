import { LoadSettings } from '../shared/engine.schema';
import { SamplingParams } from '../shared/runs.schema';
import { ulid } from '../shared/ids';
import type { RunRecord } from '../shared/runs.schema';
import { parseFlags, UsageError, type Command } from './main';
import { resolveModel } from './resolveModel';

function num(name: string, v: string | undefined, int = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'}, got "${v}"`);
  return n;
}

export const runCommand: Command = {
  summary: 'run one prompt on a local GGUF model, stream the reply, and store the run',
  usage: [
    'Usage: lamplight run --model FILE_OR_ID --prompt TEXT [options]',
    '',
    '  --model FILE_OR_ID   a .gguf path (added to the library if new) or a model id',
    '  --prompt TEXT        the user message; {{name}} placeholders take --var name=value',
    '  --system TEXT        system prompt',
    '  --var NAME=VALUE     a variable value (repeatable)',
    '  --max-tokens N       (default 256)    --temperature T (default 0.8)   --seed N',
    '  --top-k N  --top-p P  --min-p P  --repeat-penalty R  --stop TEXT (repeatable)',
    '  --threads N          (default: all available cores)   --context N (default 4096)',
    '  --json               print the stored run as JSON instead of streaming text',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseFlags(ctx.args, {
      model: { type: 'string' },
      prompt: { type: 'string' },
      system: { type: 'string' },
      var: { type: 'string', multiple: true },
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
    });
    if (!values.model) throw new UsageError('--model is required');
    if (values.prompt === undefined) throw new UsageError('--prompt is required');
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
    const settings = LoadSettings.parse({
      threads: num('threads', values.threads, true),
      contextSize: num('context', values.context, true),
      gpu: 'cpu',
    });

    const core = ctx.openCore();
    const model = await resolveModel(core, values.model);
    if (!values.json) ctx.err(`Loading ${model.fileName}…\n`);
    const status = await core.invoke('engine.load', { modelId: model.id, settings });
    // The run id is chosen here, so its chunks and its runs.finished event are known before the reply.
    const runId = ulid();
    const off = values.json ? () => undefined : core.on('runs.chunk', (c) => c.runId === runId && ctx.out(c.text));
    let offFinished = () => {};
    const finished = new Promise<RunRecord>((resolve) => {
      offFinished = core.on('runs.finished', (r) => r.id === runId && resolve(r));
    });
    await core.invoke('runs.start', {
      runId,
      modelId: model.id,
      systemPrompt: values.system ?? '',
      userMessage: values.prompt,
      variables,
      params: params.data,
    });
    const stop = () => void core.invoke('runs.cancel', { runId });
    process.once('SIGINT', stop);
    const record = await finished;
    process.off('SIGINT', stop);
    off();
    offFinished();
    if (values.json) ctx.out(JSON.stringify(record, null, 2) + '\n');
    else {
      const tps = record.decodeTokPerSec?.toFixed(1) ?? '—';
      ctx.err(
        `\n\n[${record.stopReason}] ${record.completionTokens ?? 0} tokens, TTFT ${record.ttftMs?.toFixed(0) ?? '—'} ms, ${tps} tok/s, ${status.effective?.threads ?? '?'} threads · run ${record.id}\n`,
      );
    }
    if (record.error) {
      if (!values.json) ctx.err(`error: ${record.error}\n`);
      return 1;
    }
    return 0;
  },
};

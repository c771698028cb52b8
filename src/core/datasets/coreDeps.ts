// How datasets reach the rest of the core: the loaded model's tokenizer, prompt versions run through
// runs.start (so drafts and candidates are in history, source 'dataset'), and nothing else.
import type { DatasetRecord } from '../../shared/datasets.record';
import { SamplingParams, type RunTarget } from '../../shared/runs.schema';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { ModelsService } from '../models/models.service';
import type { PromptsService } from '../prompts/prompts.service';
import type { RunsService } from '../runs/runs.service';
import type { DatasetsDeps } from './datasets.service';

const imagesOf = (hashes: string[]) => hashes.map((hash, i) => ({ hash, name: `image ${i + 1}` }));

export function coreDatasetDeps(c: { engine: EngineService; models: ModelsService; prompts: PromptsService; runs: RunsService }): Omit<DatasetsDeps, 'repo'> {
  const run = async (req: Parameters<RunsService['start']>[0], signal?: AbortSignal) => {
    const { runId } = c.runs.start({ ...req, source: 'dataset' });
    const onAbort = () => c.runs.cancel(runId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const rec = await c.runs.wait(runId);
      if (rec.stopReason === 'error' || rec.stopReason === 'crash' || rec.stopReason === 'blocked') throw new CoreError('ENGINE', rec.error ?? `run ${runId} failed`);
      return { text: rec.output, runId };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  return {
    tokenCounter(modelId) {
      const st = c.engine.status;
      if (st.state !== 'ready' || st.modelId === null) return null;
      if (modelId !== null && st.modelId !== modelId) return null;
      const name = c.models.get(st.modelId).fileName;
      return { count: (texts) => c.engine.countTokens(texts), name };
    },
    async runPromptVersion(versionId: string, target: RunTarget, variables: Record<string, string>, params: Partial<SamplingParams>, signal: AbortSignal, images?: string[]) {
      const r = c.prompts.render(versionId, {});
      // An image row's images go with the user message (a prompt version carries text only).
      const withImages = images?.length ? { images: imagesOf(images) } : {};
      const out = await run({ target, modelId: null, ...r.playground, ...withImages, variables, params: { ...r.params, ...params }, jsonSchema: r.jsonSchema, promptVersionId: versionId }, signal);
      return out.text;
    },
    answer(target: RunTarget, messages: DatasetRecord['messages'], params: Partial<SamplingParams>, images?: string[]) {
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      const turns = messages.filter((m) => m.role !== 'system');
      const last = turns.at(-1)?.content ?? '';
      // Runs take one user message: earlier turns travel as a transcript before it.
      const history = turns.slice(0, -1).map((m) => `${m.role}: ${m.content}`).join('\n');
      const userMessage = history === '' ? last : `${history}\nuser: ${last}`;
      const base = SamplingParams.parse({});
      return run({ target, modelId: null, systemPrompt: system, userMessage, variables: {}, params: { ...base, ...params }, jsonSchema: null, ...(images?.length ? { images: imagesOf(images) } : {}) });
    },
  };
}

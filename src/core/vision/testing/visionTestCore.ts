// Tests against the real vision engine: a core with the built llama-server, the generated Qwen2-VL pair in
// the library (and loaded, when asked), and the engine's own prompt-token count for a message.
import { LoadSettings } from '../../../shared/engine.schema';
import type { Core } from '../../createCore';
import { ensureVisionFixture, type VisionFixture } from '../../fixtures/ensureFixtures';
import { builtServer } from '../../llamaServer/buildServer';
import { openTestCore } from '../../testing/testCore';

export interface VisionTestCore {
  core: Core;
  fx: VisionFixture;
  modelId: string;
}

/** One thread (tests share 2 cores); `load: false` leaves starting the engine to the test. */
export async function openVisionTestCore(opts: { load: boolean; contextSize?: number }): Promise<VisionTestCore> {
  const binary = builtServer('cpu');
  if (!binary) throw new Error('llama-server is not built: run `npx lamplight engine build-server`');
  const fx = await ensureVisionFixture();
  const core = openTestCore({ serverBin: binary });
  const modelId = (await core.invoke('models.add', { path: fx.model })).id;
  const settings = LoadSettings.parse({ gpu: 'cpu', threads: 1, contextSize: opts.contextSize ?? 4096 });
  if (opts.load) await core.invoke('vision.load', { modelId, projectorPath: fx.projector, settings });
  return { core, fx, modelId };
}

/** The engine's prompt tokens for one user message (cache off); throws the HTTP status and error otherwise. */
export async function enginePromptTokens(v: Pick<VisionTestCore, 'core' | 'modelId'>, content: unknown[], maxTokens = 1): Promise<number> {
  const ep = v.core.vision.endpoint(v.modelId);
  if (!ep) throw new Error('the vision engine is not running');
  const r = await fetch(`${ep.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ep.apiKey}` },
    body: JSON.stringify({ model: ep.model, messages: [{ role: 'user', content }], max_tokens: maxTokens, temperature: 0, cache_prompt: false }),
  });
  const body = (await r.json()) as { usage?: { prompt_tokens: number }; error?: unknown };
  if (!r.ok || !body.usage) throw new Error(`HTTP ${r.status}: ${JSON.stringify(body.error ?? body)}`);
  return body.usage.prompt_tokens;
}

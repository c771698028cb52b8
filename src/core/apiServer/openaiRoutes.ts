// The OpenAI endpoints over the loaded local model: models, chat completions, completions, embeddings.
// Responses and stream chunks have OpenAI's shapes, so the official clients work unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModelInfo } from '../../shared/models.schema';
import type { EngineService } from '../engine/engine.service';
import { CoreError } from '../errors';
import type { ModelsService } from '../models/models.service';
import type { RunsService } from '../runs/runs.service';
import { ApiError, readJsonBody, sendError, sendJson, sseData, startSse } from './apiHttp';
import { parseChatRequest, parseCompletionRequest, parseEmbeddingsRequest, type GenerationRequest } from './openaiRequests';

export interface RouteContext {
  engine: EngineService;
  models: ModelsService;
  runs: RunsService;
  /** Registers a generation in flight so stopping the server ends it; returns the unregister call. */
  track(runId: string, res: ServerResponse): () => void;
  /** Reports a request's tokens, for usage per key and the metrics. */
  usage(res: ServerResponse, promptTokens: number, completionTokens: number): void;
}

interface Served {
  info: ModelInfo;
  /** The name clients use: the file name without .gguf. */
  apiId: string;
  contextSize: number;
}

export function apiModelId(m: Pick<ModelInfo, 'fileName'>): string {
  return m.fileName.replace(/\.gguf$/i, '');
}

function modelObject(m: ModelInfo) {
  return { id: apiModelId(m), object: 'model', created: Math.floor(m.addedAt / 1000), owned_by: 'lamplight' };
}

function served(ctx: RouteContext): Served {
  const st = ctx.engine.status;
  if (st.state === 'loading') {
    throw new ApiError(503, 'The model is still loading; try again in a moment.', null, 'model_loading', 'server_error', true);
  }
  const id = ctx.engine.loadedModelId;
  if (!id) throw new ApiError(503, 'No model is loaded in Lamplight. Load a model there, then try again.', null, 'model_not_loaded');
  const info = ctx.models.get(id);
  return { info, apiId: apiModelId(info), contextSize: st.effective?.contextSize ?? st.settings?.contextSize ?? 4096 };
}

/** The model a request names must be the loaded one (by API name, file name or library id). */
function checkModel(requested: string | null, m: Served): void {
  if (requested === null || requested === m.apiId || requested === m.info.fileName || requested === m.info.id) return;
  throw new ApiError(404, `The model '${requested}' does not exist or is not loaded; this server serves '${m.apiId}'.`, 'model', 'model_not_found');
}

export function listModels(ctx: RouteContext, res: ServerResponse): void {
  const id = ctx.engine.loadedModelId;
  sendJson(res, 200, { object: 'list', data: id ? [modelObject(ctx.models.get(id))] : [] });
}

export function getModel(ctx: RouteContext, res: ServerResponse, requested: string): void {
  const id = ctx.engine.loadedModelId;
  const m = id ? ctx.models.get(id) : null;
  if (!m || (requested !== apiModelId(m) && requested !== m.fileName && requested !== m.id)) {
    throw new ApiError(404, `The model '${requested}' does not exist or is not loaded.`, 'model', 'model_not_found');
  }
  sendJson(res, 200, modelObject(m));
}

export async function chatCompletions(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req);
  const m = served(ctx);
  const g = parseChatRequest(body, m.contextSize);
  checkModel(g.model, m);
  await generate(ctx, res, 'chat', g, m);
}

export async function completions(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req);
  const m = served(ctx);
  const g = parseCompletionRequest(body, m.contextSize);
  checkModel(g.model, m);
  await generate(ctx, res, 'completion', g, m);
}

async function generate(ctx: RouteContext, res: ServerResponse, kind: 'chat' | 'completion', g: GenerationRequest, m: Served): Promise<void> {
  const created = Math.floor(Date.now() / 1000);
  const object = kind === 'chat' ? (g.stream ? 'chat.completion.chunk' : 'chat.completion') : 'text_completion';
  let id = '';
  let streaming = false;
  const chunk = (choice: Record<string, unknown>) => ({
    id,
    object,
    created,
    model: m.apiId,
    choices: [{ index: 0, ...choice, logprobs: null }],
    ...(g.includeUsage ? { usage: null } : {}),
  });
  // Headers go out with the first token, so a request the engine refuses can still get a real status.
  const begin = () => {
    if (streaming) return;
    streaming = true;
    startSse(res);
    if (kind === 'chat') sseData(res, chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
  };
  const onDelta = g.stream
    ? (text: string) => {
        begin();
        sseData(res, chunk(kind === 'chat' ? { delta: { content: text }, finish_reason: null } : { text, finish_reason: null }));
      }
    : undefined;

  const started = ctx.runs.startApi(g.run, onDelta);
  id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${started.runId}`;
  const untrack = ctx.track(started.runId, res);
  let outcome: Awaited<typeof started.done>;
  try {
    outcome = await started.done;
  } finally {
    untrack();
  }
  const { record, badInput } = outcome;
  if (res.destroyed || res.writableEnded) return; // the client left, or the server is stopping
  if (record.stopReason === 'error' || record.stopReason === 'crash') {
    const e = badInput
      ? new ApiError(400, record.error ?? 'The request was refused.', g.run.jsonSchema ? 'response_format.json_schema.schema' : null, 'invalid_value')
      : new ApiError(500, `The model failed: ${record.error ?? 'unknown error'}`, null, 'engine_error');
    if (!streaming) return sendError(res, e);
    sseData(res, e.toJSON());
    res.end();
    return;
  }
  // An output rule that blocks withholds the text (OpenAI's content_filter); a stream has sent it already.
  const finishReason = record.stopReason === 'blocked' ? 'content_filter' : record.stopReason === 'maxTokens' ? 'length' : 'stop';
  const promptTokens = record.promptTokens ?? 0;
  const completionTokens = record.completionTokens ?? 0;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  ctx.usage(res, promptTokens, completionTokens);
  if (!g.stream) {
    const choice =
      kind === 'chat'
        ? { index: 0, message: { role: 'assistant', content: record.output, refusal: null }, logprobs: null, finish_reason: finishReason }
        : { index: 0, text: record.output, logprobs: null, finish_reason: finishReason };
    sendJson(res, 200, { id, object, created, model: m.apiId, choices: [choice], usage });
    return;
  }
  begin();
  sseData(res, chunk(kind === 'chat' ? { delta: {}, finish_reason: finishReason } : { text: '', finish_reason: finishReason }));
  if (g.includeUsage) sseData(res, { id, object, created, model: m.apiId, choices: [], usage });
  sseData(res, '[DONE]');
  res.end();
}

export async function embeddings(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req);
  const m = served(ctx);
  const e = parseEmbeddingsRequest(body);
  checkModel(e.model, m);
  let reply: Awaited<ReturnType<EngineService['embed']>>;
  try {
    reply = await ctx.engine.embed(e.texts);
  } catch (err) {
    if (!(err instanceof CoreError)) throw err;
    if (err.code === 'BAD_INPUT') throw new ApiError(400, err.message, 'input', 'invalid_value');
    if (err.code === 'ENGINE') throw new ApiError(400, err.message, 'model', 'model_not_supported');
    throw err;
  }
  const size = reply.vectors[0]?.length ?? 0;
  if (e.dimensions !== null && e.dimensions !== size) {
    throw new ApiError(400, `Invalid 'dimensions': ${m.apiId} produces ${size}-dimensional embeddings and cannot shorten them.`, 'dimensions', 'invalid_value');
  }
  const data = reply.vectors.map((v, index) => ({
    object: 'embedding',
    index,
    embedding: e.base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
  }));
  ctx.usage(res, reply.promptTokens, 0);
  sendJson(res, 200, { object: 'list', data, model: m.apiId, usage: { prompt_tokens: reply.promptTokens, total_tokens: reply.promptTokens } });
}

// A local run with images: sent to the vision engine (llama.cpp's llama-server with the model's projector)
// through the same OpenAI-compatible client as remote targets, then how many prompt tokens the images
// took: the reply's prompt tokens minus those of the same chat without its images (llama-server's own
// template and tokenizer, asked after the reply so TTFT is not affected).
import type { RunRequest } from '../../shared/runs.schema';
import { streamChat, type ChatContentPart, type ChatMessage } from '../remote/openaiClient';
import { tokenizeBase } from '../remote/tokenize';
import { chatMessages, chatParams, chatRunResult } from './chatRun';
import type { RemoteRunResult } from './runPorts';

export interface VisionEndpoint {
  baseUrl: string;
  apiKey: string;
  model: string;
  /** The engine's encode-time reader (see vision/encodeTimes); absent, the run's imageEncodeMs stays null. */
  watchEncode?: () => { done(graceMs?: number): Promise<number | null> };
}

export interface VisionSend {
  systemPrompt: string;
  userMessage: string;
  userParts: ChatContentPart[];
  params: RunRequest['params'];
  jsonSchema: string | null;
}

export async function runOnVisionEngine(
  ep: VisionEndpoint,
  req: VisionSend,
  signal: AbortSignal,
  onDelta: (text: string) => void,
): Promise<RemoteRunResult & { imageEncodeMs: number | null }> {
  const watch = ep.watchEncode?.();
  const chat = {
    baseUrl: ep.baseUrl,
    apiKey: ep.apiKey,
    model: ep.model,
    messages: chatMessages(req.systemPrompt, req.userMessage, req.userParts),
    params: chatParams(req.params, req.jsonSchema),
    // A local server: no retries (a failure is the engine's, and it says so), a long first token for big images.
    maxRetries: 0,
    timeouts: { connectMs: 10_000, firstTokenMs: 600_000, idleMs: 120_000 },
    signal,
  };
  let r: Awaited<ReturnType<typeof streamChat>>;
  try {
    r = await streamChat(chat, onDelta);
  } catch (e) {
    void watch?.done(0); // ends the watch at once, so later requests do not count as sharing the server with it
    throw e;
  }
  return { ...chatRunResult(r), imageEncodeMs: watch ? await watch.done() : null };
}

/** Prompt tokens of the same messages without their image parts, on llama-server; null when it cannot say. */
export async function textOnlyPromptTokens(ep: VisionEndpoint, messages: ChatMessage[]): Promise<number | null> {
  const origin = tokenizeBase({ baseUrl: ep.baseUrl }).baseUrl;
  const headers = { 'content-type': 'application/json', ...(ep.apiKey ? { authorization: `Bearer ${ep.apiKey}` } : {}) };
  const textOnly = messages.map((m) => ({ role: m.role, content: typeof m.content === 'string' ? m.content : m.content.filter((p) => p.type === 'text') }));
  try {
    const t = await fetch(`${origin}/apply-template`, { method: 'POST', headers, body: JSON.stringify({ messages: textOnly }), signal: AbortSignal.timeout(10_000) });
    if (!t.ok) return null;
    const { prompt } = (await t.json()) as { prompt?: unknown };
    if (typeof prompt !== 'string') return null;
    // As the server tokenizes a chat prompt: special tokens added and parsed.
    const k = await fetch(`${origin}/tokenize`, { method: 'POST', headers, body: JSON.stringify({ content: prompt, add_special: true, parse_special: true }), signal: AbortSignal.timeout(10_000) });
    if (!k.ok) return null;
    const { tokens } = (await k.json()) as { tokens?: unknown };
    return Array.isArray(tokens) ? tokens.length : null;
  } catch {
    return null;
  }
}

/** The images' prompt tokens: what the server counted minus the text's; null when either is unknown. */
export async function visionImageTokens(ep: VisionEndpoint, req: VisionSend, promptTokens: number | null): Promise<number | null> {
  if (promptTokens === null) return null;
  const text = await textOnlyPromptTokens(ep, chatMessages(req.systemPrompt, req.userMessage, req.userParts));
  return text === null ? null : Math.max(0, promptTokens - text);
}

// A run's request and result in the OpenAI-compatible client's terms, shared by remote targets and the
// local vision engine (llama-server), so both send the same sampling fields and time replies alike.
import type { SamplingParams, StopReason } from '../../shared/runs.schema';
import { CoreError } from '../errors';
import type { ChatContentPart, ChatMessage, ChatParams, StreamChatResult } from '../remote/openaiClient';
import type { RemoteRunResult } from './runPorts';

/** The system message (when not blank) and the user message, as parts when it carries images. */
export function chatMessages(systemPrompt: string, userMessage: string, userParts?: ChatContentPart[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (systemPrompt.trim() !== '') messages.push({ role: 'system', content: systemPrompt });
  messages.push({ role: 'user', content: userParts ?? userMessage });
  return messages;
}

/** Sampling as the chat body carries it; vLLM-only fields only when they differ from "off". */
export function chatParams(p: SamplingParams, jsonSchema: string | null): ChatParams {
  let schema: unknown = null;
  if (jsonSchema) {
    try {
      schema = JSON.parse(jsonSchema);
    } catch (e) {
      throw new CoreError('BAD_INPUT', `jsonSchema: not valid JSON (${(e as Error).message})`);
    }
  }
  return {
    maxTokens: p.maxTokens,
    temperature: p.temperature,
    topP: p.topP,
    topK: p.topK > 0 ? p.topK : undefined,
    minP: p.minP > 0 ? p.minP : undefined,
    repetitionPenalty: p.repeatPenalty !== 1 ? p.repeatPenalty : undefined,
    seed: p.seed ?? undefined,
    stop: p.stop.length > 0 ? p.stop : undefined,
    jsonSchema: schema ?? undefined,
  };
}

/** A streamed reply as a run's result (vLLM's timing conventions: every chunk with choices). */
export function chatRunResult(r: StreamChatResult): RemoteRunResult {
  const stopReason: StopReason = r.finishReason === 'length' ? 'maxTokens' : 'eos';
  return {
    text: r.text,
    stopReason,
    error: null,
    promptTokens: r.usage?.promptTokens ?? null,
    completionTokens: r.usage?.completionTokens ?? null,
    startMs: r.startMs,
    endMs: r.endMs,
    chunkTimesMs: r.choiceTimesMs,
    contentTimesMs: r.chunkTimesMs,
    attempts: r.attempts,
  };
}

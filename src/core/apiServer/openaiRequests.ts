// Request bodies of the OpenAI API, validated and turned into Lamplight runs. Errors name the field the
// way OpenAI's do (param "messages[1].role"), so clients can show them as they are.
import { z } from 'zod';
import { SamplingParams } from '../../shared/runs.schema';
import type { ChatTurn } from '../engine/protocol';
import type { ApiRunRequest } from '../runs/runs.service';
import { ApiError } from './apiHttp';

const MaxTokens = z.number().int().min(1).max(1 << 20).nullish();

const Common = z.object({
  model: z.string().nullish(),
  max_tokens: MaxTokens,
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z
    .union([z.string().max(200), z.array(z.string().max(200)).max(16)], {
      error: 'must be a string or an array of at most 16 strings of up to 200 characters',
    })
    .nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().min(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  /** llama-server's extension: decode max_tokens whatever the model says (benchmarks). */
  ignore_eos: z.boolean().nullish(),
  /** llama-server's extension: the repeat penalty (1 = none; llama-server's default). Left out: Lamplight's default. */
  repeat_penalty: z.number().min(0.5).max(5).nullish(),
});

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant'], {
    error: "must be 'system', 'developer', 'user' or 'assistant' (tool messages are not supported)",
  }),
  content: z
    .union([z.string(), z.array(TextPart)], { error: "must be a string or an array of {type: 'text', text} parts (images are not supported)" })
    .nullish(),
});

const ResponseFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string().nullish(),
        description: z.string().nullish(),
        schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: "type must be 'text', 'json_object' or 'json_schema'" },
);

const ChatBody = Common.extend({
  messages: z.array(Message).min(1, 'must contain at least one message'),
  max_completion_tokens: MaxTokens,
  response_format: ResponseFormat.nullish(),
  logprobs: z.boolean().nullish(),
  tools: z.array(z.unknown()).nullish(),
});

const CompletionBody = Common.extend({
  prompt: z.union([z.string(), z.array(z.string()).length(1)], {
    error: 'must be a string (or an array of one string; token arrays and batches are not supported)',
  }),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  best_of: z.number().int().nullish(),
  logprobs: z.number().int().nullish(),
});

const EmbeddingsBody = z.object({
  model: z.string().nullish(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)], {
    error: 'must be a string or an array of 1–2048 strings (token arrays are not supported)',
  }),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().nullish(),
});

/** OpenAI's spelling of a field path: messages[1].content. */
function paramOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const param = paramOf(issue.path);
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    throw new ApiError(400, `Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  throw new ApiError(400, `Invalid '${param || 'body'}': ${issue.message}`, param || null, 'invalid_value');
}

function unsupported(param: string, message: string): ApiError {
  return new ApiError(400, message, param, 'unsupported_parameter');
}

export interface GenerationRequest {
  model: string | null;
  stream: boolean;
  includeUsage: boolean;
  run: ApiRunRequest;
}

/** Maps OpenAI sampling fields onto Lamplight's; what a client leaves out takes Lamplight's defaults. */
function sampling(b: z.output<typeof Common>, maxTokens: number | null | undefined, defaultMaxTokens: number): SamplingParams {
  if (b.n != null && b.n > 1) throw unsupported('n', "Invalid 'n': only one choice per request is supported (n must be 1).");
  const stop = b.stop == null ? [] : (typeof b.stop === 'string' ? [b.stop] : b.stop).filter((s) => s !== '');
  return SamplingParams.parse({
    maxTokens: maxTokens ?? defaultMaxTokens,
    ...(b.temperature != null ? { temperature: b.temperature } : {}),
    ...(b.top_p != null ? { topP: b.top_p } : {}),
    ...(b.repeat_penalty != null ? { repeatPenalty: b.repeat_penalty } : {}),
    // OpenAI seeds are any integer; llama.cpp takes 32 bits.
    seed: b.seed == null ? null : ((b.seed % 2 ** 32) + 2 ** 32) % 2 ** 32,
    stop,
  });
}

/** A conversation as history shows it: `[user]\n…\n\n[assistant]\n…` when it is more than one question. */
function transcript(turns: readonly ChatTurn[]): string {
  const convo = turns.filter((t) => t.role !== 'system');
  if (convo.length === 1) return (convo[0] as ChatTurn).content;
  return convo.map((t) => `[${t.role}]\n${t.content}`).join('\n\n');
}

export function parseChatRequest(body: unknown, defaultMaxTokens: number): GenerationRequest {
  const b = parse(ChatBody, body);
  if (b.logprobs) throw unsupported('logprobs', "Invalid 'logprobs': log probabilities are not supported.");
  if (b.tools && b.tools.length > 0) throw unsupported('tools', "Invalid 'tools': tool calls are not supported by Lamplight's server.");
  const turns: ChatTurn[] = b.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: m.content == null ? '' : typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('\n'),
  }));
  if (turns.at(-1)?.role !== 'user') {
    throw new ApiError(400, "Invalid 'messages': the last message must have role 'user'.", 'messages', 'invalid_value');
  }
  const rf = b.response_format;
  return {
    model: b.model ?? null,
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
    run: {
      systemPrompt: turns
        .filter((t) => t.role === 'system')
        .map((t) => t.content)
        .join('\n\n'),
      userMessage: transcript(turns),
      messages: turns,
      completionPrompt: null,
      params: sampling(b, b.max_completion_tokens ?? b.max_tokens, defaultMaxTokens),
      jsonSchema: rf?.type === 'json_schema' ? JSON.stringify(rf.json_schema.schema) : null,
      jsonObject: rf?.type === 'json_object',
      ignoreEos: b.ignore_eos === true,
    },
  };
}

export function parseCompletionRequest(body: unknown, defaultMaxTokens: number): GenerationRequest {
  const b = parse(CompletionBody, body);
  if (b.echo) throw unsupported('echo', "Invalid 'echo': echoing the prompt is not supported.");
  if (b.suffix) throw unsupported('suffix', "Invalid 'suffix': insertion (suffix) is not supported.");
  if (b.best_of != null && b.best_of > 1) throw unsupported('best_of', "Invalid 'best_of': only one completion per request is supported.");
  if (b.logprobs != null) throw unsupported('logprobs', "Invalid 'logprobs': log probabilities are not supported.");
  const prompt = typeof b.prompt === 'string' ? b.prompt : (b.prompt[0] as string);
  return {
    model: b.model ?? null,
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
    run: {
      systemPrompt: '',
      userMessage: prompt,
      messages: null,
      completionPrompt: prompt,
      params: sampling(b, b.max_tokens, defaultMaxTokens),
      jsonSchema: null,
      jsonObject: false,
      ignoreEos: b.ignore_eos === true,
    },
  };
}

export interface EmbeddingsRequest {
  model: string | null;
  texts: string[];
  base64: boolean;
  dimensions: number | null;
}

export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  const b = parse(EmbeddingsBody, body);
  const texts = typeof b.input === 'string' ? [b.input] : b.input;
  const empty = texts.findIndex((t) => t === '');
  if (empty >= 0) {
    const param = typeof b.input === 'string' ? 'input' : `input[${empty}]`;
    throw new ApiError(400, `Invalid '${param}': an empty string cannot be embedded.`, param, 'invalid_value');
  }
  return { model: b.model ?? null, texts, base64: b.encoding_format === 'base64', dimensions: b.dimensions ?? null };
}

// The benchmark's own minimal OpenAI client: node:http, streaming, keep-alive. Neither server's code is on
// the client side, so both are measured through exactly the same requests and the same parsing.
// (A node:http client: undici's fetch would add its own pool and stream machinery to every chunk.)
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface StreamResult {
  ok: boolean;
  error: string | null;
  /** From the request being sent to the first chunk that carried text. */
  ttftMs: number | null;
  e2eMs: number;
  /** usage.completion_tokens when the server sends it, else the number of text chunks. */
  outputTokens: number;
  /** llama-server's own per-request `timings` (ms per generated token, prompt eval ms); null from other servers. */
  serverMsPerToken: number | null;
  serverPromptMs: number | null;
}

export interface ChatCall {
  baseUrl: string;
  key: string | null;
  model: string;
  prompt: string;
  maxTokens: number;
  agent: Agent;
  /** Sent as llama-server's `repeat_penalty` (both servers accept it); left out, each server's own default. */
  repeatPenalty?: number;
}

/**
 * One connection per request (a loopback connect is well under a millisecond): a pooled socket that the
 * server closes while idle is a client-side race ("socket hang up"), not server speed. The soak tests that.
 */
export function connectionAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: false, maxSockets });
}

/** One streamed chat completion, greedy, end-of-sequence ignored, so every request decodes maxTokens. */
export function streamChat(c: ChatCall): Promise<StreamResult> {
  const body = JSON.stringify({
    model: c.model,
    messages: [{ role: 'user', content: c.prompt }],
    max_tokens: c.maxTokens,
    temperature: 0,
    ignore_eos: true,
    ...(c.repeatPenalty !== undefined ? { repeat_penalty: c.repeatPenalty } : {}),
    stream: true,
    stream_options: { include_usage: true },
  });
  const url = new URL(`${c.baseUrl}/chat/completions`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    let ttft: number | null = null;
    let chunks = 0;
    let usage: number | null = null;
    let timings: { predicted_per_token_ms?: number; prompt_ms?: number } | null = null;
    let buf = '';
    const done = (error: string | null) =>
      resolve({
        ok: error === null,
        error,
        ttftMs: ttft,
        e2eMs: performance.now() - t0,
        outputTokens: usage ?? chunks,
        serverMsPerToken: timings?.predicted_per_token_ms ?? null,
        serverPromptMs: timings?.prompt_ms ?? null,
      });
    const req = request(
      url,
      {
        method: 'POST',
        agent: c.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(c.key ? { authorization: `Bearer ${c.key}` } : {}),
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString('utf8')));
          res.on('end', () => done(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const event = buf.slice(0, i);
            buf = buf.slice(i + 2);
            for (const line of event.split('\n')) {
              if (!line.startsWith('data:')) continue;
              const data = line.slice(5).trim();
              if (data === '[DONE]') continue;
              const j = JSON.parse(data) as {
                choices?: { delta?: { content?: string } }[];
                usage?: { completion_tokens?: number } | null;
                timings?: { predicted_per_token_ms?: number; prompt_ms?: number };
              };
              if (j.usage?.completion_tokens != null) usage = j.usage.completion_tokens;
              if (j.timings) timings = j.timings;
              const text = j.choices?.[0]?.delta?.content;
              if (text) {
                chunks++;
                ttft ??= performance.now() - t0;
              }
            }
          }
        });
        res.on('end', () => done(null));
        res.on('error', (e) => done(e.message));
      },
    );
    req.on('error', (e) => done(e.message));
    req.end(body);
  });
}

export interface LevelResult {
  concurrency: number;
  requests: number;
  failed: number;
  /** Requests sent a second time after the connection closed before any answer (not counted as failed). */
  retries: number;
  outputTokens: number;
  durationSec: number;
  outputTokPerSec: number;
  ttftP50Ms: number | null;
  /** Medians of the server's own timings (llama-server only): decode ms per token as one request saw it, prompt eval ms. */
  serverMsPerTokenP50: number | null;
  serverPromptMsP50: number | null;
  errors: string[];
}

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** `requests` requests with `concurrency` in flight; throughput is all output tokens over the wall time. */
export async function runLevel(call: Omit<ChatCall, 'prompt' | 'agent'>, concurrency: number, requests: number, prompt: (i: number) => string): Promise<LevelResult> {
  const agent = connectionAgent(concurrency);
  const results: StreamResult[] = [];
  let next = 0;
  let retries = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        let r = await streamChat({ ...call, prompt: prompt(i), agent });
        // llama-server sometimes closes a new connection before answering ("socket hang up", 1–3 of 8
        // requests at c=4 on a loaded 2-core machine); sent once more so its throughput is not undercounted.
        if (!r.ok && r.ttftMs === null && /socket hang up|ECONNRESET/.test(r.error ?? '')) {
          retries++;
          r = await streamChat({ ...call, prompt: prompt(i), agent });
        }
        results.push(r);
      }
    }),
  );
  const durationSec = (performance.now() - t0) / 1000;
  agent.destroy();
  const good = results.filter((r) => r.ok);
  const outputTokens = good.reduce((s, r) => s + r.outputTokens, 0);
  return {
    concurrency,
    requests,
    failed: results.length - good.length,
    retries,
    outputTokens,
    durationSec,
    outputTokPerSec: outputTokens / durationSec,
    ttftP50Ms: median(good.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]))),
    serverMsPerTokenP50: median(good.flatMap((r) => (r.serverMsPerToken === null ? [] : [r.serverMsPerToken]))),
    serverPromptMsP50: median(good.flatMap((r) => (r.serverPromptMs === null ? [] : [r.serverPromptMs]))),
    errors: [...new Set(results.flatMap((r) => (r.error ? [r.error] : [])))].slice(0, 5),
  };
}

export { median };

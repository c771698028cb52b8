// One HTTP request of a streamed chat completion: three timers (connect, first token, idle), the SSE
// frames turned into text and arrival times, and each way the stream can go wrong as a RemoteError.
import { networkCause, type Target } from './endpoint';
import { openStream, readStreamCapped, type StreamResponse } from './httpStream';
import type { ChatUsage, OnDelta, StreamChatRequest, StreamChatResult, StreamTimeouts } from './openaiClient';
import { RemoteError, excerpt, hintFor, httpError, serverMessageOf, type RemoteErrorInit, type RemoteErrorKind } from './remoteError';
import { parseRetryAfter } from './retry';
import { SseParser, type SseItem } from './sse';

/** Error bodies are read up to this much; the server's message is at the start. */
export const ERROR_BODY_CAP = 64 * 1024;
/** A chat stream longer than this is cut off as a protocol error rather than buffered without end. */
const DEFAULT_MAX_STREAM_BYTES = 256 * 1024 * 1024;

interface ChunkJson {
  model?: unknown;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  choices?: Array<{
    index?: unknown;
    delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown } | null;
    finish_reason?: unknown;
  } | null>;
}

function isErrorFrame(json: object): boolean {
  const o = json as { error?: unknown; object?: unknown };
  return (o.error !== undefined && o.error !== null) || o.object === 'error';
}

/** What the I/O thread said about a failed request: the cause's code and message, and whether it was resent. */
function causeOf(e: unknown): { code: string | null; resent: boolean } {
  const c = (e as { cause?: { code?: unknown; resent?: unknown } }).cause;
  return { code: typeof c?.code === 'string' ? c.code : null, resent: c?.resent === true };
}

/**
 * One HTTP request of a streamed chat, with its three timers. `attempt` is the number this request has among
 * those sent for the call; a request the I/O thread had to resend on a new socket counts as two.
 */
export async function attemptChat(t: Target, body: string | Uint8Array, req: StreamChatRequest, timeouts: StreamTimeouts, attempt: number, onDelta: OnDelta): Promise<StreamChatResult> {
  const userSignal = req.signal;
  const ac = new AbortController();
  let failure: RemoteError | null = null;
  let status: number | undefined;
  let text = '';
  let reasoningText = '';
  let firstToken = false;
  let finishReason: string | null = null;
  let usage: ChatUsage | null = null;
  let model: string | null = null;
  let sawDone = false;
  let serverAborted = false;
  let endMs = 0;
  let completed = false;
  let sent = attempt;
  let ending = 'done' as StreamChatResult['ending'];
  const maxTokens = req.params?.maxTokens ?? null;
  // A function, not a comparison, so TypeScript does not narrow it across the callbacks that set it.
  const cutShort = () => ending === 'max_tokens';
  const chunkTimesMs: number[] = [];
  const choiceTimesMs: number[] = [];
  const rawChunkTimesMs: number[] = [];

  const progress = () => (firstToken ? `after ${text.length + reasoningText.length} characters` : 'before the first token');
  const err = (kind: RemoteErrorKind, what: string, init: RemoteErrorInit = {}, hint = hintFor(kind)) => {
    return new RemoteError(kind, t.display, `${t.display}: ${what}${hint ? ` — ${hint}.` : ''}`, {
      status,
      partialText: text,
      firstTokenReceived: firstToken,
      attempts: sent,
      secrets: t.secrets,
      ...init,
    });
  };
  const trip = (e: RemoteError) => {
    if (failure) return;
    failure = e;
    ac.abort(e);
  };
  const cancelled = () => err('cancelled', `cancelled ${progress()}`);
  /** What a rejected fetch/read means: a timer we tripped, the user's cancel, or the network. */
  const explain = (e: unknown, beforeHeaders: boolean): RemoteError => {
    if (failure) return failure;
    if (userSignal?.aborted) return cancelled();
    if (e instanceof RemoteError) return e;
    const { code, resent } = causeOf(e);
    if (resent) sent = attempt + 1;
    const again = resent ? '; it was sent again on a new connection, which failed too' : '';
    // A body the I/O thread could not decode (unknown Content-Encoding, corrupt gzip): the bytes were wrong, not the link.
    if (code === 'EDECODE') return err('protocol', (e as { cause: { message: string } }).cause.message, {}, 'a proxy in between may be compressing the stream; check its settings');
    if (!beforeHeaders) return err('connection_lost', `the connection broke ${progress()} (${networkCause(e)}${again})`);
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      const hint = "the server may have crashed or restarted, or a proxy in between dropped the request; check the server's log";
      return err('connect', `the server closed the connection without answering (${networkCause(e)}${again})`, {}, hint);
    }
    return err('connect', `could not connect (${networkCause(e)}${again})`);
  };

  if (userSignal?.aborted) throw cancelled();
  const onUserAbort = () => ac.abort(userSignal?.reason);
  userSignal?.addEventListener('abort', onUserAbort, { once: true });
  const connectTimer = setTimeout(() => trip(err('connect_timeout', `no response within ${timeouts.connectMs} ms (connect timeout)`)), timeouts.connectMs);
  const firstTokenTimer = setTimeout(
    () => trip(err('first_token_timeout', `no token within ${timeouts.firstTokenMs} ms of sending the request (first-token timeout)`)),
    timeouts.firstTokenMs,
  );
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => trip(err('idle_timeout', `the server sent nothing for ${timeouts.idleMs} ms ${progress()} (idle timeout)`)), timeouts.idleMs);
  };

  try {
    let res: StreamResponse;
    try {
      res = await openStream(t.url, { method: 'POST', headers: t.headers, body, signal: ac.signal });
    } catch (e) {
      throw explain(e, true);
    }
    // Taken on the I/O thread, like every later time.
    const startMs = res.sentAtMs;
    if (res.resent) sent = attempt + 1;
    clearTimeout(connectTimer);
    status = res.status;
    armIdle();

    if (!res.ok) {
      let errorBody = '';
      try {
        errorBody = (await readStreamCapped(res, ERROR_BODY_CAP)).text;
      } catch (e) {
        // The status says what happened; a body cut short by a timer still does not hide it. A cancel does.
        if (explain(e, false).kind === 'cancelled') throw cancelled();
      }
      throw httpError({
        endpoint: t.display,
        status: res.status,
        statusText: res.statusText,
        body: errorBody,
        retryAfterMs: parseRetryAfter(res.header('retry-after')),
        apiKeySent: t.apiKeySent,
        attempts: sent,
        secrets: t.secrets,
        jsonSchemaSent: req.params?.jsonSchema != null,
      });
    }
    const contentType = res.header('content-type') ?? '';
    const notAStream = (line: string) => {
      const hint = /application\/json/i.test(contentType)
        ? ' (the server answered with JSON instead of an event stream; does it support stream: true?)'
        : contentType && !/text\/event-stream/i.test(contentType)
          ? ` (content-type ${excerpt(contentType, 60)})`
          : '';
      return `the response is not an OpenAI event stream${hint}: "${excerpt(line, 80)}"`;
    };

    const handleChunk = (json: ChunkJson, now: number) => {
      if (typeof json.model === 'string') model = json.model;
      const u = json.usage;
      if (u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number') {
        usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
      }
      const choices = Array.isArray(json.choices) ? json.choices : [];
      const choice = choices.find((c) => c?.index === 0) ?? choices[0];
      if (!choice) return;
      choiceTimesMs.push(now);
      const content = choice.delta?.content;
      const reasoning = choice.delta?.reasoning_content ?? choice.delta?.reasoning;
      const hasContent = typeof content === 'string' && content !== '';
      const hasReasoning = typeof reasoning === 'string' && reasoning !== '';
      if (hasContent || hasReasoning) {
        // More content chunks than max_tokens allows (each carries at least one token): the server ignores
        // the limit, so the stream is cut here and finishes with what was asked for.
        if (maxTokens !== null && maxTokens > 0 && chunkTimesMs.length >= maxTokens) {
          ending = 'max_tokens';
          finishReason = 'length';
          endMs = now;
          return;
        }
        chunkTimesMs.push(now);
        if (!firstToken) {
          firstToken = true;
          clearTimeout(firstTokenTimer);
        }
      }
      if (hasReasoning) reasoningText += reasoning;
      if (hasContent) {
        text += content;
        onDelta(content);
        if (userSignal?.aborted) throw cancelled();
      }
      if (typeof choice.finish_reason === 'string') {
        finishReason = choice.finish_reason;
        if (finishReason === 'abort') serverAborted = true;
      }
    };

    const handle = (items: SseItem[], now: number) => {
      for (const item of items) {
        if (sawDone || cutShort()) return;
        if (item.type === 'garbage') throw err('protocol', notAStream(item.line));
        if (item.type === 'overflow') {
          const what = `one stream event is larger than ${item.limitChars.toLocaleString('en-US')} characters (chunk too large) ${progress()}; the text so far is kept`;
          throw err('protocol', what, {}, 'a token chunk is a few hundred bytes; check the server, or a proxy in between that may merge events');
        }
        if (item.data.trim() === '[DONE]') {
          sawDone = true;
          endMs = now;
          return;
        }
        rawChunkTimesMs.push(now);
        let json: unknown;
        try {
          json = JSON.parse(item.data);
        } catch {
          throw err('protocol', `a data frame is not JSON: "${excerpt(item.data, 80)}"`);
        }
        if (!json || typeof json !== 'object') throw err('protocol', `a data frame is not a JSON object: "${excerpt(item.data, 80)}"`);
        if (item.event === 'error' || isErrorFrame(json)) {
          const said = serverMessageOf(json) ?? excerpt(item.data, 200);
          throw err('stream_error', `the server reported an error mid-stream ${progress()}: ${said}`, { serverMessage: said });
        }
        handleChunk(json as ChunkJson, now);
      }
    };

    const maxBytes = req.maxStreamBytes ?? DEFAULT_MAX_STREAM_BYTES;
    const parser = new SseParser();
    let counted = 0;
    // Ends at [DONE], at the end of the body, past max_tokens, or by a timer; every read counts ≥ 1 byte against the cap.
    while (!sawDone && !cutShort()) {
      let r: Awaited<ReturnType<typeof res.read>>;
      try {
        r = await res.read();
      } catch (e) {
        throw explain(e, false);
      }
      const now = r.atMs;
      if (r.done) {
        handle(parser.end(), now);
        if (!sawDone && !cutShort()) {
          endMs = now;
          ending = 'eof';
        }
        break;
      }
      armIdle();
      counted += Math.max(1, r.value.byteLength);
      if (counted > maxBytes) {
        const what = `the stream passed ${maxBytes.toLocaleString('en-US')} bytes without ending ${progress()} (the limit for one answer)`;
        throw err('protocol', what, {}, 'set Max tokens, and check that the server honours max_tokens');
      }
      handle(parser.push(r.value), now);
    }
    if (serverAborted) throw err('aborted_by_server', `the server aborted the generation (finish_reason "abort") ${progress()}`);
    // A body that ended cleanly without [DONE] is the server's whole answer (some servers never send it);
    // only one that brought neither text nor a finish_reason is an error: there is nothing to finish with.
    if (ending === 'eof' && !firstToken && finishReason === null) throw err('incomplete', 'the stream ended before any text or finish_reason, without [DONE]');
    completed = true;
    // Cut short: drop the connection, which is how the server learns to stop generating.
    res.release(cutShort() ? { drop: true } : undefined);
    return {
      text,
      reasoningText,
      finishReason,
      usage,
      model,
      startMs,
      endMs,
      chunkTimesMs,
      choiceTimesMs,
      rawChunkTimesMs,
      attempts: sent,
      status: res.status,
      ending,
    };
  } finally {
    clearTimeout(connectTimer);
    clearTimeout(firstTokenTimer);
    clearTimeout(idleTimer);
    userSignal?.removeEventListener('abort', onUserAbort);
    // Dropping the connection is how a vLLM server learns to stop generating for us.
    if (!completed) ac.abort();
  }
}

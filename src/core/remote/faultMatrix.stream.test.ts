// Stream faults: malformed or unusual SSE, a missing [DONE], UTF-8 split across reads, a 10 MB event,
// gzip and encodings the client cannot decode, and endless streams cut at max_tokens or the total limit.
import { expect } from 'vitest';
import { RemoteError } from './remoteError';
import { SSE, ok, UTF8_TEXT, tenMbEvent, runFaultMatrix, type Row } from './testing/faultMatrix';
import { chunkJson, endlessStream, frame, gzipResponse, rawStream, splitInsideCharacters, sseStream, stall, tokenThenHang } from './testing/faultServer';

const rows: Row[] = [
  {
    fault: 'malformed SSE: bad JSON in a data line',
    script: () => [rawStream(frame(chunkJson({ content: 'ok' })) + 'data: {"choices":[{"delta":{"content":"x"}\n\n')],
    kind: 'protocol',
    says: /a data frame is not JSON: "\{"choices":\[\{"delta":\{"content":"x"\}"/,
    attempts: 1,
    stop: { script: () => [tokenThenHang('data: {"choices":[{"del')], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'malformed SSE: JSON lines without the "data:" prefix',
    script: () => [rawStream(`${chunkJson({ content: 'x' })}\n\n`)],
    kind: 'protocol',
    says: /the response is not an OpenAI event stream: "\{"id":"chatcmpl-test"/,
    attempts: 1,
    stop: { script: () => [tokenThenHang(`${chunkJson({ content: 'x' }).slice(0, 20)}`)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'SSE with comment lines, CRLF line endings and event: lines',
    script: () => [
      rawStream(
        ': keep-alive\r\n\r\n' +
          'event: message\r\n' +
          `data: ${chunkJson({ content: 'Tides' })}\r\n\r\n` +
          ': ping\r\n' +
          'event: ping\r\ndata: {}\r\n\r\n' +
          `id: 7\r\nevent: message\r\ndata: ${chunkJson({ content: ' rise', finishReason: 'stop' })}\r\n\r\n` +
          'data: [DONE]\r\n\r\n',
      ),
    ],
    text: 'Tides rise',
    attempts: 1,
    stop: { script: () => [tokenThenHang(': ping\r\n\r\nevent: message\r\n')], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'no [DONE]: the stream ends cleanly without it',
    script: () => [sseStream({ tokens: ['Tides', ' rise'], done: false })],
    text: 'Tides rise',
    attempts: 1,
    check: (_s, r) => expect(r).toMatchObject({ ending: 'eof', finishReason: 'stop', usage: { completionTokens: 2 } }),
    stop: { script: () => [tokenThenHang(frame(chunkJson({ content: '', finishReason: 'stop' })))], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'UTF-8 characters split across reads (Chinese, emoji)',
    script: () => [splitInsideCharacters(UTF8_TEXT)],
    text: UTF8_TEXT.join(''),
    attempts: 1,
    stop: { script: () => [tokenThenHang(`data: ${chunkJson({ content: '长' }).slice(0, 80)}`)], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'one 10 MB SSE event',
    script: () => [{ status: 200, headers: SSE, writes: [{ atMs: 0, data: frame(chunkJson({ content: 'ok' })) }, { atMs: 1, data: tenMbEvent() }, { atMs: 2, data: frame('[DONE]') }] }],
    kind: 'protocol',
    says: /one stream event is larger than 4,194,304 characters \(chunk too large\) after 2 characters/,
    hint: 'check the server, or a proxy in between that may merge events',
    attempts: 1,
    check: (_s, e) => expect((e as RemoteError).partialText).toBe('ok'),
    stop: { script: () => [tokenThenHang(tenMbEvent().slice(0, 1024 * 1024))], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'gzip-encoded event stream (Content-Encoding: gzip, streamed)',
    script: () => [{ ...sseStream({ tokens: ['Tides', ' rise'], everyMs: 5 }), gzip: true }],
    text: 'Tides rise',
    attempts: 1,
    // Stop waits for the first token of a gzip stream that never ends: it only comes if decoding streams.
    stop: { script: () => [{ ...tokenThenHang(': ping\n\n'), gzip: true }], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'gzip-encoded JSON error body (not streamed, Content-Length)',
    script: () => [gzipResponse(400, JSON.stringify({ error: { message: "This model's maximum context length is 4096 tokens" } }), 'application/json')],
    kind: 'bad_request',
    says: /400 Bad Request — This model's maximum context length is 4096 tokens/,
    attempts: 1,
    stop: { script: () => [{ status: 400, headers: { 'content-type': 'application/json' }, writes: [{ atMs: 0, data: '{"err' }], then: 'hang', gzip: true }], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'Content-Encoding the client cannot decode (zstd)',
    script: () => [{ ...ok(), headers: { ...SSE, 'content-encoding': 'zstd' } }],
    kind: 'protocol',
    says: /the response uses content-encoding "zstd", which Lamplight cannot decode/,
    hint: 'a proxy in between may be compressing the stream; check its settings',
    attempts: 1,
    stop: { script: () => [{ ...stall(), headers: { ...SSE, 'content-encoding': 'zstd' }, headersAtMs: 'never' }], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'endless stream, max_tokens 20 (server ignores it)',
    script: () => [endlessStream('tok ', 2)],
    req: { params: { maxTokens: 20 } },
    text: 'tok '.repeat(20),
    attempts: 1,
    check: async (s, r) => {
      expect(r).toMatchObject({ ending: 'max_tokens', finishReason: 'length' });
      await expect.poll(() => s.requests[0]!.closedByClient, { timeout: 2_000 }).toBe(true);
    },
    stop: { script: () => [endlessStream('tok ', 10)], at: { firstDelta: true, delayMs: 100 }, req: { params: {} } },
  },
  {
    fault: 'endless stream, no max_tokens: 64 KiB total limit',
    script: () => [endlessStream('words '.repeat(40), 1)],
    req: { maxStreamBytes: 64 * 1024 },
    kind: 'protocol',
    says: /the stream passed 65,536 bytes without ending after \d+ characters \(the limit for one answer\)/,
    hint: 'set Max tokens, and check that the server honours max_tokens',
    attempts: 1,
    stop: { script: () => [endlessStream('words ', 10)], at: { firstDelta: true, delayMs: 100 } },
  },
];

runFaultMatrix('stream', rows);

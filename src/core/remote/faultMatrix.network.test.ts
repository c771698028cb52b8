// Connection faults: resets before, after and between the headers and the tokens, stalls at each stage,
// and keep-alive sockets the server closed or reset while idle (resent only when nothing came back).
import { expect, it } from 'vitest';
import { RemoteError } from './remoteError';
import { RESET_HINT, STALL_END_MS, ok, times, runFaultMatrix, type Row } from './testing/faultMatrix';
import { htmlError, neverAnswers, resetAfterHeaders, resetBeforeHeaders, sseStream, stall } from './testing/faultServer';

const rows: Row[] = [
  {
    fault: 'connection reset before the headers, then 200',
    script: () => [resetBeforeHeaders(), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [resetBeforeHeaders(), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset before the headers, on every attempt',
    script: () => times(3, resetBeforeHeaders()),
    kind: 'connect',
    says: /the server closed the connection without answering \(ECONNRESET: socket hang up\)/,
    hint: RESET_HINT,
    attempts: 3,
    stop: { script: () => [resetBeforeHeaders(), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset after the headers, before any token, then 200',
    script: () => [resetAfterHeaders(), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [resetAfterHeaders(), stall()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: 'connection reset mid-stream (after 2 tokens)',
    script: () => [sseStream({ tokens: ['to', 'kens'], everyMs: 10, done: false, usage: false, then: 'destroy' }), ok()],
    kind: 'connection_lost',
    says: /the connection broke after 6 characters \(ECONNRESET/,
    attempts: 1,
    // Never retried after a token: the second answer is not asked for.
    check: (s, e) => {
      expect(s.requests).toHaveLength(1);
      expect((e as RemoteError).partialText).toBe('tokens');
    },
    stop: { script: () => [sseStream({ tokens: ['to', 'kens'], everyMs: 10, done: false, usage: false, then: 'hang' })], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'stall before the first byte (no headers)',
    script: () => times(3, neverAnswers()),
    req: { timeouts: { connectMs: 300, firstTokenMs: STALL_END_MS, idleMs: STALL_END_MS } },
    kind: 'connect_timeout',
    says: /no response within 300 ms \(connect timeout\)/,
    attempts: 3,
    stop: { script: () => [neverAnswers()], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'stall after the headers, before the first token',
    script: () => times(3, stall()),
    req: { timeouts: { connectMs: STALL_END_MS, firstTokenMs: 400, idleMs: STALL_END_MS } },
    kind: 'first_token_timeout',
    says: /no token within 400 ms of sending the request \(first-token timeout\)/,
    attempts: 3,
    stop: { script: () => [stall()], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: 'stall mid-stream (after 2 tokens)',
    script: () => [sseStream({ tokens: ['one', ' two'], everyMs: 10, done: false, then: 'hang' })],
    req: { timeouts: { connectMs: STALL_END_MS, firstTokenMs: STALL_END_MS, idleMs: 400 } },
    kind: 'idle_timeout',
    says: /the server sent nothing for 400 ms after 7 characters \(idle timeout\)/,
    attempts: 1,
    check: (_s, e) => expect((e as RemoteError).partialText).toBe('one two'),
    stop: { script: () => [sseStream({ tokens: ['one', ' two'], everyMs: 10, done: false, then: 'hang' })], at: { firstDelta: true, delayMs: 100 } },
  },
  {
    fault: 'keep-alive socket closed by the server while idle (reset on reuse, before any byte)',
    warm: true,
    script: () => [ok(['warm']), resetBeforeHeaders(), ok()],
    req: { maxRetries: 0 },
    text: 'Tides rise',
    attempts: 2,
    // Sent again on a new socket by the I/O thread itself: no retry was allowed here.
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true, false]),
    stop: { script: () => [ok(['warm']), resetBeforeHeaders(), neverAnswers()], at: { request: 3, delayMs: 100 }, req: { maxRetries: 0 } },
  },
  {
    fault: 'keep-alive reset on reuse, and the new socket is reset too',
    warm: true,
    script: () => [ok(['warm']), resetBeforeHeaders(), resetBeforeHeaders()],
    req: { maxRetries: 0 },
    kind: 'connect',
    says: /the server closed the connection without answering \(ECONNRESET: socket hang up; it was sent again on a new connection, which failed too\)/,
    hint: RESET_HINT,
    attempts: 2,
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true, false]),
    stop: { script: () => [ok(['warm']), resetBeforeHeaders(), neverAnswers()], at: { request: 3, delayMs: 100 }, req: { maxRetries: 0 } },
  },
  {
    fault: 'keep-alive socket reset after the headers came (not resent)',
    warm: true,
    script: () => [ok(['warm']), resetAfterHeaders(), ok()],
    req: { maxRetries: 0 },
    kind: 'connection_lost',
    says: /the connection broke before the first token \(ECONNRESET/,
    attempts: 1,
    check: (s) => expect(s.requests.map((r) => r.reusedSocket)).toEqual([false, true]),
    stop: { script: () => [ok(['warm']), stall()], at: { request: 2, delayMs: 100 }, req: { maxRetries: 0 } },
  },
];

runFaultMatrix('connection', rows, {
  throughCore: ({ core, serve, remoteRun }) => {
    it('stores the keep-alive recovery (2 requests) and a typed error with the URL, as the user sees them', async () => {
      const keep = rows.find((r) => r.warm && r.text)!;
      const s = await serve(keep, keep.script());
      const ok = await core().runs.wait(await remoteRun(keep, s, 0));
      expect(ok).toMatchObject({ output: 'Tides rise', stopReason: 'eos', attempts: 2, error: null });
      const bad = await serve(keep, [htmlError(503, '503 Service Unavailable', 'No server is available to handle this request.')]);
      const failed = await core().runs.wait(await remoteRun({ ...keep, warm: false }, bad, 0));
      expect(failed.stopReason).toBe('error');
      expect(failed.error).toBe(
        `POST ${bad.baseUrl}/chat/completions: 503 Service Unavailable — the server failed. ` +
          "Server said: 503 Service Unavailable 503 Service Unavailable No server is available to handle this request. Check the server's log.",
      );
    });
  },
});

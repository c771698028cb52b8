import { describe, expect, it } from 'vitest';
import { RemoteError, isFailoverable, isRetryable, redact, serverMessageOf } from './remoteError';
import { DEFAULT_RETRY, backoffDelayMs, parseRetryAfter, retryDelayMs, sleep } from './retry';

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', '-1', 'soon', '1e3', '12abc']) expect(parseRetryAfter(v, now)).toBeNull();
  });

  it('is capped; without it the backoff doubles with jitter inside [step/2, step]', () => {
    expect(retryDelayMs(1, 3_600_000, DEFAULT_RETRY)).toBe(DEFAULT_RETRY.maxRetryAfterMs);
    expect(retryDelayMs(1, 1_000, DEFAULT_RETRY)).toBe(1_000);
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('sleep ends early, rejecting, when the signal aborts', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await expect(sleep(10_000, ac.signal)).rejects.toThrow('stop');
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

describe('server error messages', () => {
  it('reads OpenAI, vLLM, FastAPI and plain-text bodies', () => {
    expect(serverMessageOf('{"error":{"message":"bad key","type":"invalid_request_error"}}')).toBe('bad key');
    expect(serverMessageOf('{"object":"error","message":"The model `x` does not exist.","code":404}')).toBe('The model `x` does not exist.');
    expect(serverMessageOf('{"detail":"Not Found"}')).toBe('Not Found');
    expect(serverMessageOf('{"detail":[{"loc":["body","messages"],"msg":"field required"}]}')).toBe('body.messages: field required');
    expect(serverMessageOf('{"error":"Unauthorized"}')).toBe('Unauthorized');
    expect(serverMessageOf('<html><h1>502 Bad Gateway</h1></html>')).toBe('502 Bad Gateway');
    expect(serverMessageOf('')).toBeNull();
  });

  it('redacts secrets wherever they appear', () => {
    expect(redact('key sk-abc123 and sk-abc123 again', ['sk-abc123'])).toBe('key *** and *** again');
    const e = new RemoteError('auth', 'GET http://h/v1/models', 'GET http://h/v1/models: sent token-xyz', { serverMessage: 'got token-xyz', secrets: ['token-xyz'] });
    expect(e.message).not.toContain('token-xyz');
    expect(e.serverMessage).toBe('got ***');
    expect(e.code).toBe('UNAUTHORIZED');
  });

  it('retries and fails over only before the first token', () => {
    const before = new RemoteError('server', 'x', 'x', { status: 503 });
    const after = new RemoteError('connection_lost', 'x', 'x', { firstTokenReceived: true });
    expect([isRetryable(before), isFailoverable(before)]).toEqual([true, true]);
    expect([isRetryable(after), isFailoverable(after)]).toEqual([false, false]);
    expect(isRetryable(new RemoteError('server', 'x', 'x', { status: 500 }))).toBe(false);
    expect(isFailoverable(new RemoteError('server', 'x', 'x', { status: 500 }))).toBe(true);
    expect(isFailoverable(new RemoteError('auth', 'x', 'x', { status: 401 }))).toBe(false);
  });
});

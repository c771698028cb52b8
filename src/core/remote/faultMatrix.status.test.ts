// HTTP status faults: 429 with and without Retry-After, 500, 502 and 503 with JSON or HTML bodies,
// recovered by a retry or reported as a typed error after the last attempt.
import { expect } from 'vitest';
import { RemoteError } from './remoteError';
import { ok, times, runFaultMatrix, type Row } from './testing/faultMatrix';
import { htmlError, jsonResponse, neverAnswers, stall } from './testing/faultServer';

const rows: Row[] = [
  {
    fault: '429 with Retry-After: 1 (seconds), then 200',
    script: () => [jsonResponse(429, { error: { message: 'slow down' } }, { 'retry-after': '1' }), ok()],
    text: 'Tides rise',
    attempts: 2,
    check: (s) => expect(s.requests[1]!.receivedAt - s.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950),
    stop: { script: () => [jsonResponse(429, {}, { 'retry-after': '30' })], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: '429 with Retry-After as an HTTP date (+2 s), then 200',
    script: () => [jsonResponse(429, { error: 'busy' }, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() }), ok()],
    text: 'Tides rise',
    attempts: 2,
    // The date has whole seconds: the wait is between 1 and 2 s.
    check: (s) => expect(s.requests[1]!.receivedAt - s.requests[0]!.receivedAt).toBeGreaterThanOrEqual(900),
    stop: { script: () => [jsonResponse(429, {}, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() })], at: { request: 1, delayMs: 100 } },
  },
  {
    fault: '429 without Retry-After, on every attempt',
    script: () => times(3, jsonResponse(429, { error: { message: 'Too many concurrent requests' } })),
    kind: 'rate_limited',
    says: /429 Too Many Requests — the server is rate-limiting requests\. Server said: Too many concurrent requests/,
    attempts: 3,
    stop: { script: () => [jsonResponse(429, {}), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '500 with a JSON error body, on every attempt',
    script: () => times(3, jsonResponse(500, { error: { message: 'CUDA error: out of memory', type: 'InternalServerError' } })),
    kind: 'server',
    says: /500 Internal Server Error — the server failed\. Server said: CUDA error: out of memory/,
    attempts: 3,
    stop: { script: () => [jsonResponse(500, {}), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '500 with an HTML page, on every attempt',
    script: () => times(3, htmlError(500, 'Internal Server Error', 'The server encountered an internal error.')),
    kind: 'server',
    says: /Server said: Internal Server Error Internal Server Error The server encountered an internal error\./,
    attempts: 3,
    check: (_s, e) => expect((e as RemoteError).message).not.toMatch(/font-family|console\.log/),
    stop: { script: () => [htmlError(500, 'Error', 'x'), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '502 with an HTML page (proxy), then 200',
    script: () => [htmlError(502, '502 Bad Gateway', 'nginx'), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [htmlError(502, '502 Bad Gateway', 'nginx'), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '502 with an HTML page (proxy), on every attempt',
    script: () => times(3, htmlError(502, '502 Bad Gateway', 'nginx/1.24.0')),
    kind: 'server',
    says: /502 Bad Gateway — the server failed \(a proxy in front of the model server may be answering for it\)\. Server said: 502 Bad Gateway/,
    attempts: 3,
    stop: { script: () => [htmlError(502, 'x', 'y'), neverAnswers()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '503 with a JSON body, then 200',
    script: () => [jsonResponse(503, { object: 'error', message: 'The server is loading the model' }), ok()],
    text: 'Tides rise',
    attempts: 2,
    stop: { script: () => [jsonResponse(503, {}), stall()], at: { request: 2, delayMs: 100 } },
  },
  {
    fault: '503 with an HTML page, on every attempt',
    script: () => times(3, htmlError(503, '503 Service Unavailable', 'No server is available to handle this request.')),
    kind: 'server',
    says: /503 Service Unavailable — the server failed\. Server said: 503 Service Unavailable 503 Service Unavailable No server is available/,
    attempts: 3,
    stop: { script: () => [htmlError(503, 'x', 'y'), stall()], at: { request: 2, delayMs: 100 } },
  },
];

runFaultMatrix('HTTP status', rows);

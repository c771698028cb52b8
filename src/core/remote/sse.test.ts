import { describe, expect, it } from 'vitest';
import { SseParser, type SseItem } from './sse';

const enc = new TextEncoder();

function parseAll(chunks: Uint8Array[], opts?: ConstructorParameters<typeof SseParser>[0]): SseItem[] {
  const p = new SseParser(opts);
  const out: SseItem[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

/** A stream that exercises every rule: both line endings, multi-byte text, comments, multi-line data. */
const STREAM =
  ': ping\r\n' +
  '\r\n' +
  'data: {"t":"héllo 🌍"}\r\n' +
  '\r\n' +
  'data:{"t":"no space"}\n' +
  '\n' +
  'event: note\n' +
  'id: 7\n' +
  'data: line one\n' +
  'data:  two (one space kept)\n' +
  'data\n' +
  '\n' +
  ': keep-alive\n' +
  'retry: 1000\n' +
  'data: ünïcödé — 日本語\r' +
  '\r' +
  'data: [DONE]\r\n' +
  '\r\n';

const EXPECTED: SseItem[] = [
  { type: 'event', event: 'message', data: '{"t":"héllo 🌍"}', id: null },
  { type: 'event', event: 'message', data: '{"t":"no space"}', id: null },
  { type: 'event', event: 'note', data: 'line one\n two (one space kept)\n', id: '7' },
  { type: 'event', event: 'message', data: 'ünïcödé — 日本語', id: '7' },
  { type: 'event', event: 'message', data: '[DONE]', id: '7' },
];

describe('SseParser', () => {
  const bytes = enc.encode(STREAM);

  it('parses the whole stream in one read', () => {
    expect(parseAll([bytes])).toEqual(EXPECTED);
  });

  it('gives the same events when the stream is split at every byte offset', () => {
    // Offsets fall inside "\r\n", inside 2-, 3- and 4-byte UTF-8 sequences, inside "data:" and "[DONE]".
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events when every pair of offsets splits it in three', () => {
    for (let a = 1; a < bytes.length; a += 3) {
      for (let b = a; b < bytes.length; b += 5) {
        const parts = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
        expect(parseAll(parts), `cuts at ${a}, ${b}`).toEqual(EXPECTED);
      }
    }
  });

  it('gives the same events one byte at a time', () => {
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('reports lines that are not SSE fields', () => {
    const items = parseAll([enc.encode('<html><body>Bad gateway</body></html>\n{"id": 1}\ndata: ok\n\n')]);
    expect(items).toEqual([
      { type: 'garbage', line: '<html><body>Bad gateway</body></html>' },
      { type: 'garbage', line: '{"id": 1}' },
      { type: 'event', event: 'message', data: 'ok', id: null },
    ]);
  });

  it('delivers a last event that lacks its blank line or final newline', () => {
    expect(parseAll([enc.encode('data: a\n\ndata: [DONE]')])).toEqual([
      { type: 'event', event: 'message', data: 'a', id: null },
      { type: 'event', event: 'message', data: '[DONE]', id: null },
    ]);
  });

  it('drops a leading byte-order mark', () => {
    expect(parseAll([Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf), enc.encode('data: x\n\n')])).toEqual([
      { type: 'event', event: 'message', data: 'x', id: null },
    ]);
  });

  it('reports a line longer than the limit instead of growing without bound', () => {
    const items = parseAll([enc.encode('data: '), enc.encode('x'.repeat(50)), enc.encode('y'.repeat(50))], { maxChars: 64 });
    expect(items[0]).toEqual({ type: 'overflow', limitChars: 64 });
  });

  it('reports an event whose data lines add up past the limit', () => {
    const items = parseAll([enc.encode('data: 0123456789\n'.repeat(10) + '\n')], { maxChars: 64 });
    expect(items).toContainEqual({ type: 'overflow', limitChars: 64 });
    expect(items.some((i) => i.type === 'event')).toBe(false);
  });
});

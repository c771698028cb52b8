// Seeded generators of hostile input for the browser host's fuzz test: raw HTTP requests (bytes, so
// malformed request lines, headers and encodings reach the server as sent) and WebSocket messages.
import { mulberry32 } from '../../shared/prng';

export class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  /** `n` characters with codes 0–255 (one byte each when written as latin1). */
  bytes(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(256));
    return s;
  }
  word(n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789._-'): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** Percent-encodings, valid and not: truncated, non-hex, overlong UTF-8, lone continuation bytes. */
const PCT = ['%', '%E0', '%E0%A4%A', '%zz', '%2', '%%', '%00', '%FF', '%C0%AF', '%2e%2e%2f', '%252e', '%u0041', '%F0%9F%98', '%ED%A0%80', '%0d%0a', '%2F', '%5C'];

/** UTF-8 of a few non-ASCII characters, as latin1 so it travels byte for byte. */
const UTF8 = ['é', '文件', '😀', '\u202e', '\ufeff'].map((c) => Buffer.from(c, 'utf8').toString('latin1'));

export function mutate(g: Gen, s: string, times = 1 + g.int(3)): string {
  for (let t = 0; t < times; t++) {
    const at = g.int(s.length + 1);
    switch (g.int(7)) {
      case 0:
        s = s.slice(0, at) + g.pick(PCT) + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + g.bytes(1 + g.int(4)) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + g.pick(UTF8) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + s.slice(at + 1 + g.int(4));
        break;
      case 4:
        s = s.slice(0, at) + s.slice(at, at + 1 + g.int(8)).repeat(2 + g.int(50)) + s.slice(at);
        break;
      case 5:
        s = s.slice(0, at);
        break;
      default:
        s = s.slice(0, at) + g.pick(['/', '..', '?', '#', ';', '=', '&', ' ', '\t', '\0', '\\', ':']) + s.slice(at);
    }
  }
  return s;
}

export interface HttpTarget {
  port: number;
  token: string;
}

export interface HttpCase {
  bytes: Buffer;
  /** wait: read the answer; end: half-close after writing; reset: write, then reset the connection. */
  mode: 'wait' | 'end' | 'reset';
  /** Written if the host accepts the request as a WebSocket upgrade. */
  frames: Buffer;
}

function tokenVariant(g: Gen, t: HttpTarget): string {
  return g.pick([
    t.token,
    t.token,
    encodeURIComponent(t.token),
    mutate(g, t.token, 1),
    '%E0',
    `${t.token}%`,
    '',
    g.word(300),
    g.pick(PCT) + t.token,
  ]);
}

function pathOf(g: Gen, t: HttpTarget): string {
  let path = g.pick([
    '/', '/', '/index.html', '/assets/app.js', '/ws', '/runs/01ABC', '/assets/', '/assets/../index.html',
    '/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '*', `http://127.0.0.1:${t.port}/`, 'http://[/', '//evil.example/',
    '', '/favicon.ico', `/${'a/'.repeat(1 + g.int(2000))}`,
  ]);
  if (g.chance(0.5)) path = mutate(g, path);
  if (g.chance(0.6)) path += `?token=${tokenVariant(g, t)}`;
  else if (g.chance(0.3)) path += `?${mutate(g, 'token=a&token=b&x=%41')}`;
  return path;
}

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function headersOf(g: Gen, t: HttpTarget): string[] {
  const h: string[] = [];
  const host = g.pick([`127.0.0.1:${t.port}`, `127.0.0.1:${t.port}`, `127.0.0.1:${t.port}`, `localhost:${t.port}`, 'evil.example', '[', '', `127.0.0.1:${t.port}${g.pick(PCT)}`, 'a'.repeat(3000)]);
  if (!g.chance(0.1)) h.push(`Host: ${host}`);
  if (g.chance(0.05)) h.push(`Host: ${g.word(8)}`);
  if (g.chance(0.5)) {
    const cookie = g.pick([
      `lamplight_token=${tokenVariant(g, t)}`,
      `a=b; lamplight_token=${tokenVariant(g, t)}; c=%`,
      'lamplight_token',
      'lamplight_token==%E0',
      ';;;=;',
      `lamplight_token=%E0; lamplight_token=${t.token}`,
      mutate(g, `lamplight_token=${t.token}`),
    ]);
    h.push(`Cookie: ${cookie}`);
  }
  if (g.chance(0.3)) {
    h.push('Upgrade: websocket', `Connection: ${g.pick(['Upgrade', 'upgrade, keep-alive', 'close', mutate(g, 'Upgrade')])}`);
    if (!g.chance(0.1)) h.push(`Sec-WebSocket-Version: ${g.pick(['13', '13', '8', '', mutate(g, '13')])}`);
    if (!g.chance(0.1)) h.push(`Sec-WebSocket-Key: ${g.pick([WS_KEY, WS_KEY, '', 'short', mutate(g, WS_KEY)])}`);
    if (g.chance(0.3)) h.push(`Origin: ${g.pick([`http://127.0.0.1:${t.port}`, 'http://evil.example', 'null', mutate(g, 'http://localhost')])}`);
    if (g.chance(0.2)) h.push(`Sec-WebSocket-Extensions: ${g.pick(['permessage-deflate; client_max_window_bits', 'permessage-deflate; server_max_window_bits=99', mutate(g, 'x; y=z')])}`);
    if (g.chance(0.1)) h.push(`Sec-WebSocket-Protocol: ${mutate(g, 'a, b')}`);
  }
  if (g.chance(0.2)) h.push(`Content-Length: ${g.pick(['0', '5', '-1', '99999999999999999999', 'abc', '1, 2', '', '3'])}`);
  if (g.chance(0.05)) h.push('Content-Length: 7');
  if (g.chance(0.15)) h.push(`Transfer-Encoding: ${g.pick(['chunked', 'chunked', 'gzip, chunked', 'chunked, identity', mutate(g, 'chunked')])}`);
  if (g.chance(0.05)) h.push(`Expect: ${g.pick(['100-continue', 'weird'])}`);
  for (let i = g.chance(0.03) ? 150 : g.int(4); i > 0; i--) {
    const name = g.chance(0.9) ? `X-${g.word(1 + g.int(12))}` : g.bytes(1 + g.int(12));
    h.push(`${name}: ${g.chance(0.8) ? g.word(g.int(40)) : g.bytes(g.int(40))}`);
  }
  if (g.chance(0.03)) h.push(`X-Big: ${'b'.repeat(20_000)}`);
  if (g.chance(0.03)) h.push(' obs-folded continuation');
  if (g.chance(0.1)) h.push(mutate(g, 'Accept: */*'));
  return h;
}

function bodyOf(g: Gen): string {
  return g.pick([
    '',
    'hello',
    '5\r\nhello\r\n0\r\n\r\n',
    'zz\r\nhello\r\n0\r\n\r\n',
    'FFFFFFFFFFFF\r\n',
    '5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n',
    g.bytes(g.int(200)),
  ]);
}

/** A request a browser could send (token, cookie and upgrade variants) that reaches the host's own code. */
function plainCase(g: Gen, t: HttpTarget): string {
  const method = g.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']);
  const path = g.pick(['/', '/index.html', '/assets/app.js', '/ws', '/runs/01ABC', '/assets/nope.js', '/%E0%A4%A', '/..%2f..%2fetc%2fpasswd', '/%00']);
  const query = g.chance(0.7) ? `?token=${tokenVariant(g, t)}` : '';
  const h = [`Host: ${g.pick([`127.0.0.1:${t.port}`, `localhost:${t.port}`, 'evil.example'])}`];
  if (g.chance(0.5)) h.push(`Cookie: lamplight_token=${tokenVariant(g, t)}`);
  if (g.chance(0.3)) h.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${WS_KEY}`);
  return `${method} ${path}${query} HTTP/1.1\r\n${h.join('\r\n')}\r\n\r\n`;
}

export function httpCase(g: Gen, t: HttpTarget): HttpCase {
  const method = g.pick(['GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT', 'PRI', 'get', 'G\0T', g.word(1 + g.int(10), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), '']);
  const version = g.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '', 'FOO/1.1']);
  const eol = g.chance(0.9) ? '\r\n' : '\n';
  let text = g.chance(0.4) ? plainCase(g, t) : `${method} ${pathOf(g, t)} ${version}${eol}${headersOf(g, t).join(eol)}${eol}${eol}`;
  if (g.chance(0.2)) text += bodyOf(g);
  if (g.chance(0.08)) text = text.slice(0, g.int(text.length)); // truncated
  if (g.chance(0.03)) text = mutate(g, text, 3);
  const mode = g.chance(0.75) ? 'wait' : g.chance(0.5) ? 'end' : 'reset';
  return { bytes: Buffer.from(text, 'latin1'), mode, frames: badFrames(g) };
}

/** Raw bytes to write after a successful upgrade: frames a client should never send. */
export function badFrames(g: Gen): Buffer {
  const mask = [1, 2, 3, 4];
  const frames = [
    [0x83, 0x80, ...mask], // reserved opcode 3
    [0xc1, 0x80, ...mask], // RSV1 without an extension
    [0x81, 0x05, 104, 101, 108, 108, 111], // unmasked text frame
    [0x81, 0xff, 0, 0, 0, 0, 0x01, 0x10, 0, 0, ...mask], // declares 17 MiB (over maxPayload)
    [0x89, 0xfe, 0, 200, ...mask], // ping longer than 125 bytes
    [0x88, 0x82, ...mask, 0x03 ^ 1, 0xe7 ^ 2], // close with a reserved code (999)
    [0x00, 0x80, ...mask], // continuation without a start
    [0x81, 0x82, ...mask, 0xc3 ^ 1, 0x28 ^ 2], // text that is not UTF-8
    [0x81, 0x85, ...mask, ...[110, 117, 108, 108, 10].map((b, i) => b ^ (mask[i % 4] as number))], // 'null\n'
  ];
  const picked = g.chance(0.2) ? Buffer.from(g.bytes(1 + g.int(64)), 'latin1') : Buffer.from(g.pick(frames));
  return picked;
}

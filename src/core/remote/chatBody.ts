// The bytes of a chat request. An image travels as a base64 data URL of up to ~250 KB, and JSON.stringify
// scans every character of it for escapes, then Buffer.byteLength scans it again: ~1.4 ms for a 1-megapixel
// JPEG on the shared 2-core machine, on the path between runs.start and the request (bench:vision). A URL
// made by imagePart has nothing to escape, so it is copied into the body as it is.
import type { ChatContentPart } from './openaiClient';

/** Image parts whose URL is `data:<plain mime>;base64,<base64>`: no character of it needs escaping in JSON. */
const plainParts = new WeakSet<object>();
const PLAIN_MIME = /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i;

/** An image part carrying the bytes as a data URL (what llama-server, vLLM and OpenAI all accept). */
export function imagePart(mime: string, data: Buffer): ChatContentPart {
  const part: ChatContentPart = { type: 'image_url', image_url: { url: `data:${mime};base64,${data.toString('base64')}` } };
  if (PLAIN_MIME.test(mime)) plainParts.add(part);
  return part;
}

/**
 * `JSON.stringify(body)` as UTF-8 bytes, with each image part made by imagePart written without a scan (the
 * keys may come in another order: `messages` first). A part copied or changed since goes through stringify.
 */
export function chatBodyBytes(body: Record<string, unknown>): Buffer {
  const messages = body.messages as { content?: unknown }[] | undefined;
  if (!Array.isArray(messages) || !messages.some((m) => Array.isArray(m.content) && m.content.some((p) => plainParts.has(p as object)))) {
    return Buffer.from(JSON.stringify(body));
  }
  // Pieces of JSON text, in order; the odd ones out are URLs, copied byte for byte (base64 is ASCII).
  const text: string[] = [];
  const urls = new Set<number>();
  let pending = '{"messages":[';
  messages.forEach((m, i) => {
    if (i > 0) pending += ',';
    if (!Array.isArray(m.content)) {
      pending += JSON.stringify(m);
      return;
    }
    const { content, ...rest } = m as { content: unknown[] };
    const head = JSON.stringify(rest);
    pending += `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"content":[`;
    content.forEach((p, j) => {
      if (j > 0) pending += ',';
      if (!plainParts.has(p as object)) {
        pending += JSON.stringify(p);
        return;
      }
      text.push(`${pending}{"type":"image_url","image_url":{"url":"`);
      urls.add(text.length);
      text.push((p as Extract<ChatContentPart, { type: 'image_url' }>).image_url.url);
      pending = '"}}';
    });
    pending += ']}';
  });
  const { messages: _m, ...others } = body;
  const tail = JSON.stringify(others);
  text.push(`${pending}]${tail.length > 2 ? ',' : ''}${tail.slice(1)}`);
  const sizes = text.map((s, i) => (urls.has(i) ? s.length : Buffer.byteLength(s)));
  const out = Buffer.allocUnsafeSlow(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  text.forEach((s, i) => {
    at += out.write(s, at, urls.has(i) ? 'latin1' : 'utf8');
  });
  return out;
}

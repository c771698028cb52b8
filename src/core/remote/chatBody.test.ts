import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { chatBodyBytes, imagePart } from './chatBody';
import { chatRequestBody, streamChat, type ChatContentPart, type ChatMessage } from './openaiClient';

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe, 0x3e]);
// Text that JSON must escape or encode: quotes, backslashes, control characters, non-ASCII, a lone surrogate.
const tricky = 'Say "hi" \\ to Zoë\n\t\u0001 — 日本 \ud800 </script>';

function body(messages: ChatMessage[]): Record<string, unknown> {
  return chatRequestBody({ model: 'm "q"', messages, params: { maxTokens: 3, temperature: 0, stop: ['"'], jsonSchema: { type: 'object' } } });
}

const same = (b: Record<string, unknown>) => {
  const bytes = chatBodyBytes(b);
  const reference = JSON.stringify(b);
  expect(JSON.parse(bytes.toString('utf8'))).toEqual(JSON.parse(reference));
  expect(bytes.length).toBe(Buffer.byteLength(reference));
};

describe('chatBodyBytes', () => {
  it('writes image parts as they are and the rest as JSON.stringify does, whatever the text holds', () => {
    const parts: ChatContentPart[] = [{ type: 'text', text: tricky }, imagePart('image/png', png), { type: 'text', text: tricky }, imagePart('image/jpeg', Buffer.alloc(0))];
    same(body([{ role: 'system', content: tricky }, { role: 'user', content: parts }]));
    same(body([{ role: 'user', content: [imagePart('image/svg+xml', png)] }]));
    // The copy without a scan was taken (it writes `messages` first); stringify starts with `model`.
    expect(chatBodyBytes(body([{ role: 'user', content: parts }])).toString('utf8')).toMatch(/^\{"messages":\[\{"role":"user","content":\[/);
    const sent = JSON.parse(chatBodyBytes(body([{ role: 'user', content: parts }])).toString('utf8')) as { messages: { content: ChatContentPart[] }[] };
    expect(sent.messages[0]?.content[1]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } });
    expect(sent.messages[0]?.content[0]).toEqual({ type: 'text', text: tricky });
  });

  it('a part copied or changed since imagePart, or a mime that would need escaping, goes through JSON.stringify', () => {
    const odd = imagePart('image/png"x', png);
    const copied = { ...imagePart('image/png', png) };
    same(body([{ role: 'user', content: [odd, copied, { type: 'text', text: tricky }] }]));
    expect(chatBodyBytes(body([{ role: 'user', content: [odd, copied] }])).toString('utf8')).toMatch(/^\{"model":/);
    const sent = JSON.parse(chatBodyBytes(body([{ role: 'user', content: [odd] }])).toString('utf8')) as { messages: { content: { image_url: { url: string } }[] }[] };
    expect(sent.messages[0]?.content[0]?.image_url.url.startsWith('data:image/png"x;base64,')).toBe(true);
    same(body([{ role: 'user', content: tricky }]));
  });
});

describe('streamChat with an image', () => {
  let close: (() => void) | null = null;
  afterEach(() => close?.());

  it('the server receives the JSON body with the image and a matching content-length', async () => {
    let received: { length: string | undefined; body: Buffer } | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received = { length: req.headers['content-length'], body: Buffer.concat(chunks) };
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    close = () => server.close();
    const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: tricky }, imagePart('image/png', png)] }];
    const r = await streamChat({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'm', messages, maxRetries: 0 });
    expect(r.text).toBe('ok');
    const got = received as { length: string | undefined; body: Buffer } | null;
    expect(got?.length).toBe(String(got?.body.length));
    expect(JSON.parse(got?.body.toString('utf8') ?? '')).toEqual(JSON.parse(JSON.stringify(chatRequestBody({ model: 'm', messages }))));
  });
});

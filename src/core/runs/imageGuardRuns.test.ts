// The image guard on the send path: an image with a rendered resident ID sent to a remote target arrives
// with the number painted over (the receiving side OCRs it and reads no valid ID), and the audit record
// holds both hashes and the count by type, never the value. Block refuses before anything is sent.
import { describe, expect, it } from 'vitest';
import { findPii } from '../../shared/pii';
import { OcrEngine } from '../imageGuard/ocr';
import { textImage, validId } from '../imageGuard/testing/render';
import { startFakeVllm } from '../remote/testing/fakeVllm';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore, tempDir } from '../testing/testCore';

const open = closeAfterEach();
type Part = { type: string; image_url?: { url: string } };

describe('image guard on image runs', () => {
  it('an ID in an image arrives painted over; the audit says redacted 1 id_card with both hashes', { timeout: 120_000 }, async () => {
    const c = open.core(openTestCore());
    const s = open.server(await startFakeVllm({}));
    const id = validId('246');
    const img = await c.invoke('images.addData', { name: 'form.png', dataBase64: (await textImage([`ID: ${id}`])).toString('base64') });
    const t = await c.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], acceptsImages: 'yes' });
    const { runId } = await c.invoke('runs.start', { target: { kind: 'remote', targetId: t.id, model: s.baseModel }, userMessage: 'Read this form', images: [{ hash: img.hash, name: 'form.png' }], params: { maxTokens: 4 } });
    const run = await c.runs.wait(runId);
    expect(run.error).toBeNull();
    const body = s.requests.find((r) => r.path === '/v1/chat/completions')?.body as { messages: { content: Part[] }[] };
    const url = body.messages.at(-1)?.content.find((p) => p.type === 'image_url')?.image_url?.url ?? '';
    const received = Buffer.from(url.replace(/^data:image\/[a-z]+;base64,/, ''), 'base64');
    const reader = new OcrEngine({ cacheDir: tempDir('lamplight-receiver-') });
    const text = (await reader.recognize(received)).lines.map((l) => l.text).join('\n');
    await reader.close();
    expect(findPii(text).filter((m) => m.kind === 'id_card')).toEqual([]);
    const rec = (await c.invoke('audit.list', {})).records.find((r) => r.runId === runId);
    expect(rec?.images).toEqual([{ hash: img.hash, sentHash: run.images![0]!.sentHash, action: 'redact', counts: { id_card: 1 } }]);
    expect(rec?.images?.[0]?.sentHash).not.toBe(img.hash);
    expect(rec?.decisions.join('\n')).toContain('redacted 1 id_card');
    expect(JSON.stringify(rec)).not.toContain(id);
  });
});

// Image runs on remote targets, against a loopback OpenAI-compatible server that records what it receives:
// the image arrives decodable, without its GPS EXIF, downscaled to the target's budget, with the hash the
// run stored; a target that does not accept images refuses before anything is sent; {{image:name}} places
// the image in the text; compare fails only the refusing column. Real core, real SQLite, real sharp.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { startFakeVllm, type FakeVllm } from '../remote/testing/fakeVllm';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore, tempDir } from '../testing/testCore';

const open = closeAfterEach();
const greedy = { temperature: 0, maxTokens: 8 };

/** A 1200×900 JPEG with GPS coordinates and a camera serial in its EXIF. */
async function photoWithGps(): Promise<string> {
  const file = join(tempDir(), 'holiday.jpg');
  const jpeg = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'Camera', Model: 'X' }, IFD2: { BodySerialNumber: 'SN-12345' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
    .toBuffer();
  expect((await sharp(jpeg).metadata()).exif?.toString('latin1')).toContain('SN-12345');
  writeFileSync(file, jpeg);
  return file;
}

async function setup(opts: { props?: object } = {}): Promise<{ c: Core; s: FakeVllm; hash: string }> {
  const c = open.core(openTestCore());
  const s = open.server(await startFakeVllm({ props: opts.props }));
  const img = await c.invoke('images.add', { path: await photoWithGps() });
  return { c, s, hash: img.hash };
}

const chats = (s: FakeVllm) => s.requests.filter((r) => r.path === '/v1/chat/completions');
type Part = { type: string; text?: string; image_url?: { url: string } };
const userParts = (s: FakeVllm): Part[] => ((chats(s)[0]?.body as { messages: { role: string; content: Part[] }[] }).messages.at(-1)?.content ?? []);
const decode = (url: string) => Buffer.from(url.replace(/^data:image\/[a-z]+;base64,/, ''), 'base64');

describe('image runs on remote targets', () => {
  it('send the prepared image as an image_url part: decodable, no EXIF, within the budget, its hash stored', async () => {
    const { c, s, hash } = await setup();
    const t = await c.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], acceptsImages: 'yes', maxImagePixels: 50_000 });
    expect(t.acceptsImages).toBe('yes');
    expect(t.maxImagePixels).toBe(50_000);
    const { runId } = await c.invoke('runs.start', {
      target: { kind: 'remote', targetId: t.id, model: s.baseModel },
      userMessage: 'What is in this photo?',
      images: [{ hash, name: 'holiday.jpg' }],
      params: greedy,
    });
    const run = await c.runs.wait(runId);
    expect(run.error).toBeNull();
    expect(run.output).toBe(`Hello from ${s.baseModel}.`);

    const parts = userParts(s);
    expect(parts.map((p) => p.type)).toEqual(['image_url', 'text']);
    expect(parts[1]?.text).toBe('What is in this photo?');
    const sent = decode(parts[0]?.image_url?.url ?? '');
    const meta = await sharp(sent).metadata();
    expect(meta.exif).toBeUndefined();
    expect(sent.toString('latin1')).not.toContain('SN-12345');
    expect((meta.width ?? 0) * (meta.height ?? 0)).toBeLessThanOrEqual(50_000);
    expect((meta.width ?? 0) / (meta.height ?? 1)).toBeCloseTo(4 / 3, 1);

    expect(run.images).toHaveLength(1);
    const im = run.images![0]!;
    expect(im).toMatchObject({ hash, name: 'holiday.jpg', width: meta.width, height: meta.height, bytes: sent.length });
    expect(im.sentHash).toBe(createHash('sha256').update(sent).digest('hex'));
    expect(run.imagePrepareMs).toBeGreaterThan(0);
    // The stored record and the history carry the images.
    expect(c.runs.get(runId).images).toEqual(run.images);
    expect((await c.invoke('runs.list', {})).find((r) => r.id === runId)?.imageHashes).toEqual([hash]);
    expect((await c.invoke('runs.search', { query: 'this photo' }))[0]?.imageHashes).toEqual([hash]);
    // The audit record holds the hashes, never the bytes.
    const audit = await c.invoke('audit.list', {});
    const rec = audit.records.find((r) => r.runId === runId);
    expect(rec?.images).toEqual([{ hash, sentHash: im.sentHash, action: 'redact', counts: {} }]); // the image guard found nothing to paint
    expect(JSON.stringify(rec)).not.toContain('base64');
  });

  it('a target that does not say it takes images refuses before anything is sent, with what to do', async () => {
    const { c, s, hash } = await setup();
    const t = await c.invoke('targets.add', { name: 'text box', baseUrls: [s.baseUrl] });
    expect(t.acceptsImages).toBe('auto');
    const req = { target: { kind: 'remote' as const, targetId: t.id, model: s.baseModel }, userMessage: 'Describe', images: [{ hash, name: 'a.jpg' }] };
    await expect(c.invoke('runs.start', req)).rejects.toThrow(`target text box does not say model ${s.baseModel} accepts images; set Accepts images to yes in its settings if it does`);
    expect(chats(s)).toHaveLength(0);
    expect(await c.invoke('runs.list', {})).toHaveLength(0);

    await c.invoke('targets.update', { targetId: t.id, patch: { acceptsImages: 'no' } });
    await expect(c.invoke('runs.start', req)).rejects.toThrow(/text box is set not to accept images/);
    expect(chats(s)).toHaveLength(0);
  });

  it("'auto' follows what the server says in /props", async () => {
    const yes = await setup({ props: { modalities: { vision: true } } });
    const ty = await yes.c.invoke('targets.add', { name: 'llama vl', baseUrls: [yes.s.baseUrl] });
    // A vLLM-like model list says nothing about images; the first image run asks /props and records it.
    expect((await yes.c.invoke('targets.check', { targetId: ty.id })).models[0]?.vision ?? null).toBeNull();
    const { runId } = await yes.c.invoke('runs.start', { target: { kind: 'remote', targetId: ty.id, model: yes.s.baseModel }, userMessage: 'x', images: [{ hash: yes.hash, name: 'a' }], params: greedy });
    expect((await yes.c.runs.wait(runId)).error).toBeNull();

    const no = await setup({ props: { modalities: { vision: false } } });
    const tn = await no.c.invoke('targets.add', { name: 'llama text', baseUrls: [no.s.baseUrl] });
    // No check first: the run asks the server itself.
    const req = { target: { kind: 'remote' as const, targetId: tn.id, model: no.s.baseModel }, userMessage: 'x', images: [{ hash: no.hash, name: 'a' }] };
    await expect(no.c.invoke('runs.start', req)).rejects.toThrow(/says model .* does not accept images/);
    expect(chats(no.s)).toHaveLength(0);
  });

  it('{{image:name}} places the image where it stands; an unfilled one is refused by name', async () => {
    const { c, s, hash } = await setup();
    const t = await c.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], acceptsImages: 'yes' });
    const target = { kind: 'remote' as const, targetId: t.id, model: s.baseModel };
    await expect(c.invoke('runs.start', { target, userMessage: 'Total of {{image:receipt}} for {{who}}?', variables: { who: 'Ann' } })).rejects.toThrow(
      /no image for \{\{image:receipt\}\}/,
    );
    expect(chats(s)).toHaveLength(0);
    const { runId } = await c.invoke('runs.start', { target, userMessage: 'Total of {{image:receipt}} for {{who}}?', variables: { who: 'Ann' }, imageVariables: { receipt: hash }, params: greedy });
    const run = await c.runs.wait(runId);
    expect(run.error).toBeNull();
    expect(run.images?.[0]?.name).toBe('receipt');
    expect(userParts(s).map((p) => p.text ?? p.type)).toEqual(['Total of ', 'image_url', ' for Ann?']);
  });

  it('prompt.render shows the parts with a token estimate under the target budget', async () => {
    const { c, s, hash } = await setup();
    const t = await c.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], acceptsImages: 'yes', maxImagePixels: 28 * 28 * 16 });
    const r = await c.invoke('prompt.render', { userMessage: 'See {{image:a}} and {{image:b}}', imageVariables: { a: hash }, target: { kind: 'remote', targetId: t.id, model: 'm' } });
    expect(r.missingImages).toEqual(['b']);
    expect(r.parts?.map((p) => p.kind)).toEqual(['text', 'image', 'text']);
    const est = r.parts?.[1]?.kind === 'image' ? r.parts[1].estTokens : null;
    expect(est).toBeGreaterThan(0);
    expect(r.imageTokens).toBe(est);
    // Without a target: the default budget (1,003,520 pixels), so the full 1200×900 image and more tokens.
    const d = await c.invoke('prompt.render', { userMessage: 'See {{image:a}}', imageVariables: { a: hash } });
    expect(d.imageTokens).toBeGreaterThan(4 * (est ?? 0));
  });

  it('compare: the refusing column fails with the reason, the other runs', async () => {
    const { c, s, hash } = await setup();
    const vl = await c.invoke('targets.add', { name: 'vl', baseUrls: [s.baseUrl], acceptsImages: 'yes' });
    const txt = await c.invoke('targets.add', { name: 'text only', baseUrls: [s.baseUrl], acceptsImages: 'no' });
    const cmp = await c.invoke('compare.start', {
      userMessage: 'Describe',
      images: [{ hash, name: 'a.jpg' }],
      params: greedy,
      columns: [
        { kind: 'remote', targetId: vl.id, model: s.baseModel },
        { kind: 'remote', targetId: txt.id, model: s.baseModel },
      ],
    });
    const [ok, refused] = await Promise.all(cmp.runIds.map((id) => c.runs.wait(id)));
    expect(ok?.error).toBeNull();
    expect(ok?.images).toHaveLength(1);
    expect(refused?.stopReason).toBe('error');
    expect(refused?.error).toMatch(/text only is set not to accept images/);
    expect(chats(s)).toHaveLength(1);
  });
});

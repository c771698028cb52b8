import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { encryptedPdf, textPdf, truncatedPdf, zeroPagePdf } from '../pdf/testPdfs';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';

let core: Core;
let dir: string;
beforeEach(() => {
  dir = tempDir();
  core = openTestCore();
});
afterEach(async () => {
  await core?.close();
});

const invoice = {
  name: 'Invoice',
  instructions: 'Extract the fields.',
  fields: [
    { name: 'total', type: 'amount' as const, decimal: ',' as const },
    { name: 'lines', type: 'list' as const, items: [{ name: 'desc', type: 'text' as const }] },
  ],
};

describe('extraction templates', () => {
  it('saves, updates with a history, and yields the JSON schema and rules', async () => {
    const t = await core.invoke('extraction.save', invoice);
    expect(t.version).toBe(1);
    expect(JSON.parse(t.jsonSchema).required).toEqual(['total', 'lines']);
    expect(t.rules.total).toContain('1.280 = 1280');
    const same = await core.invoke('extraction.save', { ...invoice, id: t.id });
    expect(same.version).toBe(1);
    const t2 = await core.invoke('extraction.save', { ...invoice, id: t.id, instructions: 'Only the total.' });
    expect(t2.version).toBe(2);
    expect((await core.invoke('extraction.history', { id: t.id })).map((v) => [v.version, v.instructions])).toEqual([
      [2, 'Only the total.'],
      [1, 'Extract the fields.'],
    ]);
    expect((await core.invoke('extraction.list', {})).map((x) => x.id)).toEqual([t.id]);
    expect(await core.invoke('extraction.remove', { id: t.id })).toEqual({ removed: true });
    expect((await failureOf(core.invoke('extraction.get', { id: t.id }))).code).toBe('NOT_FOUND');
  });
  it('refuses bad fields naming them', async () => {
    const f = await failureOf(core.invoke('extraction.save', { ...invoice, fields: [{ name: 'total', type: 'amount' }, { name: 'total', type: 'text' }] }));
    expect(f.code).toBe('BAD_INPUT');
    expect(f.message).toMatch(/unique/);
    const g = await failureOf(core.invoke('extraction.save', { ...invoice, fields: [{ name: '1bad', type: 'amount' }] }));
    expect(g.message).toMatch(/field name/);
  });
});

describe('PDFs', () => {
  it('returns the page count and text layer, and renders selected pages into the image store', async () => {
    const path = join(dir, 'inv.pdf');
    writeFileSync(path, textPdf(['Invoice No. 42', 'Total 1,280.00', 'Page three']));
    const info = await core.invoke('extraction.pdfPages', { path });
    expect(info.pageCount).toBe(3);
    expect(info.pages.map((p) => p.text)).toEqual(['Invoice No. 42', 'Total 1,280.00', 'Page three']);
    const r = await core.invoke('extraction.renderPdf', { path, pages: '1,3', dpi: 72 });
    expect(r.pages.map((p) => [p.page, p.image.width, p.image.height, p.image.mime])).toEqual([
      [1, 300, 200, 'image/png'],
      [3, 300, 200, 'image/png'],
    ]);
    expect(r.pages[0]?.image.name).toBe('inv p1.png');
    // The page was drawn: some pixels are dark text on white paper.
    const preview = await core.invoke('images.preview', { hash: r.pages[0]!.image.hash });
    const stats = await sharp(Buffer.from(preview.dataUrl.split(',')[1] ?? '', 'base64')).stats();
    expect(stats.channels[0]!.min).toBeLessThan(100);
    expect(stats.channels[0]!.max).toBe(255);
  });
  it('refuses page ranges beyond the document, storing nothing', async () => {
    const path = join(dir, 'two.pdf');
    writeFileSync(path, textPdf(['a', 'b']));
    const f = await failureOf(core.invoke('extraction.renderPdf', { path, pages: '1-3' }));
    expect(f.message).toBe('pages: two.pdf has 2 pages, "1-3" asks for page 3');
    expect((await failureOf(core.invoke('extraction.renderPdf', { path, pages: '2-1' }))).message).toMatch(/ascending/);
  });
  it('names the file and the reason for 0 pages, a password, truncation, and not-a-PDF', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['empty.pdf', zeroPagePdf(), /^empty\.pdf: the PDF has no pages$/],
      ['locked.pdf', encryptedPdf(), /^locked\.pdf: the PDF is password-protected/],
      ['cut.pdf', truncatedPdf(), /^cut\.pdf: the PDF cannot be read, it may be truncated or damaged/],
      ['photo.pdf', Buffer.from('GIF89a....'), /^photo\.pdf: not a PDF/],
    ];
    for (const [name, bytes, re] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const f = await failureOf(core.invoke('extraction.pdfPages', { path }));
      expect([f.code, f.message], name).toEqual(['BAD_INPUT', expect.stringMatching(re)]);
    }
    expect((await failureOf(core.invoke('extraction.pdfPages', { path: join(dir, 'missing.pdf') }))).message).toMatch(/^missing\.pdf: cannot read the PDF \(ENOENT\)/);
    // A good PDF still works after the bad ones.
    writeFileSync(join(dir, 'ok.pdf'), textPdf(['fine']));
    expect((await core.invoke('extraction.pdfPages', { path: join(dir, 'ok.pdf') })).pages[0]?.text).toBe('fine');
  });
});

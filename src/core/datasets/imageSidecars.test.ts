// Image-folder sidecars as people really save them (Excel in Europe and China, "Unicode text", macOS file
// names, Windows paths, JSON from scripts), through the import command with a real core: every row must
// find its image and its fields, and every refusal names the sidecar, the line and the field.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../createCore';
import { failureOf, openTestCore, tempDir } from '../testing/testCore';

let core: Core;
let root: string;
let n = 0;
beforeAll(() => {
  root = tempDir('lamplight-sidecars-');
  core = openTestCore({ dataDir: join(root, 'data') });
});
afterAll(async () => {
  await core?.close();
});

/** A folder with a distinct small PNG at each relative path (sub-folders made as needed). */
async function folder(files: string[]): Promise<string> {
  const dir = join(root, `f${++n}`);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    const c = (n * 37 + files.indexOf(f) * 53) % 256;
    writeFileSync(join(dir, f), await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: c, g: 255 - c, b: n } } }).png().toBuffer());
  }
  return dir;
}

interface Row {
  line: number | null;
  files: string[];
  response: unknown;
  prompt: string | undefined;
}

/** Imports `dir` with a sidecar of these bytes; the rows as (line, image names, response: fields parsed). */
async function imported(dir: string, sidecarName: string, bytes: Buffer | string): Promise<{ rows: Row[]; skipped: unknown }> {
  const sidecar = join(dir, sidecarName);
  writeFileSync(sidecar, bytes);
  const r = await core.invoke('datasets.importImages', { dir, sidecar, name: `ds-${++n}` });
  const page = await core.invoke('datasets.rows', { datasetId: r.dataset.id });
  const rows: Row[] = [];
  for (const row of page.rows) {
    const full = await core.invoke('datasets.row', { datasetId: r.dataset.id, rowId: row.id });
    const files = row.images.map((h) => core.images.get(h).name);
    rows.push({ line: row.line, files, response: full.response?.startsWith('{') ? JSON.parse(full.response) : full.response, prompt: full.record.messages.at(-1)?.content });
  }
  return { rows, skipped: r.skipped };
}

async function refused(dir: string, sidecarName: string, bytes: Buffer | string): Promise<string> {
  writeFileSync(join(dir, sidecarName), bytes);
  const before = await core.invoke('datasets.list', {});
  const f = await failureOf(core.invoke('datasets.importImages', { dir, sidecar: join(dir, sidecarName), name: `bad-${++n}` }));
  await core.datasets.idle();
  expect(await core.invoke('datasets.list', {})).toEqual(before);
  expect(f.code).toBe('BAD_INPUT');
  return f.message;
}

const BOM = '\uFEFF';

describe('CSV as Excel writes it', () => {
  it('BOM, CRLF, ";" delimiter, "File Name" header, quoted fields with ; , newlines and doubled quotes', async () => {
    const dir = await folder(['a.png', 'b.png', 'c.png']);
    const csv = `${BOM}File Name;Total;Note\r\na.png;"1.280,00";"two\r\nlines, and ""quoted"""\r\nb.png;"12,50";plain; no quotes\r\n`;
    const bad = await refused(dir, 'labels.csv', csv);
    // Line 3 is the second line of the quoted note; b.png's row is line 4 and has 4 fields for 3 columns.
    expect(bad).toBe('1 bad sidecar line, nothing imported: sidecar labels.csv line 4: expected 3 fields (as in the header), found 4');
    const good = csv.replace('plain; no quotes', '"plain; quoted"');
    const { rows } = await imported(dir, 'labels.csv', good);
    expect(rows).toEqual([
      { line: 2, files: ['a.png'], response: { Total: '1.280,00', Note: 'two\r\nlines, and "quoted"' }, prompt: 'Describe this image.' },
      { line: 4, files: ['b.png'], response: { Total: '12,50', Note: 'plain; quoted' }, prompt: 'Describe this image.' },
      { line: null, files: ['c.png'], response: null, prompt: 'Describe this image.' },
    ]);
  });

  it('the file column under any of the names people give it, in any case and spacing', async () => {
    const dir = await folder(['x.png']);
    for (const header of ['filename', 'Image', ' PATH ', 'File_Name', 'Image Path', 'FILE']) {
      const { rows } = await imported(dir, 'labels.csv', `${header},Question,Answer\nx.png,What total?,42\n`);
      expect(rows, header).toEqual([{ line: 2, files: ['x.png'], response: '42', prompt: 'What total?' }]);
    }
    const zh = await imported(dir, 'labels.csv', '文件名,问题,答案,金额\nx.png,发票总额是多少?,¥42,42\n');
    expect(zh.rows).toEqual([{ line: 2, files: ['x.png'], response: '¥42', prompt: '发票总额是多少?' }]);
  });

  it('"sep=;" first line, empty ";;" rows at the end, and old Mac CR-only line ends', async () => {
    const dir = await folder(['a.png', 'b.png']);
    const { rows } = await imported(dir, 'labels.csv', 'sep=;\r\nfile;total\r\na.png;1,5\r\nb.png;2,5\r\n;\r\n;\r\n');
    expect(rows.map((r) => [r.line, r.files, r.response])).toEqual([[3, ['a.png'], { total: '1,5' }], [4, ['b.png'], { total: '2,5' }]]);
    const mac = await imported(dir, 'mac.csv', 'file,total\ra.png,7\rb.png,8\r');
    expect(mac.rows.map((r) => [r.line, r.files, r.response])).toEqual([[2, ['a.png'], { total: '7' }], [3, ['b.png'], { total: '8' }]]);
  });

  it('UTF-16LE with a BOM, tab-separated (Excel "Unicode text"), and GB18030 (Excel on Chinese Windows)', async () => {
    const dir = await folder(['发票-1.png', 'b.png']);
    const text = 'File Name\tAmount\tSeller\r\n发票-1.png\t¥1,280.00\t上海某某有限公司\r\nb.png\t12\tACME\r\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const want = [
      [2, ['发票-1.png'], { Amount: '¥1,280.00', Seller: '上海某某有限公司' }],
      [3, ['b.png'], { Amount: '12', Seller: 'ACME' }],
    ];
    expect((await imported(dir, 'labels.txt', utf16)).rows.map((r) => [r.line, r.files, r.response])).toEqual(want);
    const gbk = Buffer.from(new Uint8Array(encodeGb18030(text.replace('¥', 'RMB'))));
    const gb = await imported(dir, 'labels-gbk.csv', gbk);
    expect(gb.rows.map((r) => r.response)).toEqual([{ Amount: 'RMB1,280.00', Seller: '上海某某有限公司' }, { Amount: '12', Seller: 'ACME' }]);
  });
});

describe('file names', () => {
  it('NFD names on disk (macOS) match NFC names typed in the CSV, and the other way round', async () => {
    const nfd = 'Cafe\u0301 menu.png'; // é as e + combining acute
    const nfc = 'Ma\u00f1ana.png'; // ñ precomposed
    const dir = await folder([nfd, nfc]);
    const csv = `file,label\n${nfd.normalize('NFC')},coffee\n${nfc.normalize('NFD')},tomorrow\n`;
    expect(csv.includes(nfd)).toBe(false);
    const { rows } = await imported(dir, 'labels.csv', csv);
    expect(rows.map((r) => [r.files[0]?.normalize('NFC'), r.response])).toEqual([
      ['Café menu.png', { label: 'coffee' }],
      ['Mañana.png', { label: 'tomorrow' }],
    ]);
  });

  it('names with sub-folders and Windows backslashes; a name in another letter case when only one file fits', async () => {
    const dir = await folder(['scans/2024/a.png', 'scans/2024/b.png', 'top.png', 'IMG_0001.JPG.png', 'scans/other.png']);
    const { rows, skipped } = await imported(dir, 'labels.csv', 'path,label\r\nscans\\2024\\a.png,first\r\n./scans/2024/b.png,second\r\nimg_0001.jpg.PNG,third\r\n');
    expect(rows.map((r) => [r.line, r.files, r.response])).toEqual([
      [2, ['a.png'], { label: 'first' }],
      [3, ['b.png'], { label: 'second' }],
      [4, ['IMG_0001.JPG.png'], { label: 'third' }],
      [null, ['top.png'], null],
    ]);
    expect(skipped).toEqual([{ file: 'scans', reason: 'a folder (only the files the sidecar names are read from it)' }]);
  });

  it('refusals name the sidecar, the line and the field: missing files, paths leaving the folder, absolute paths', async () => {
    const dir = await folder(['scans/a.png', 'b.png']);
    const csv = 'Image;Note\r\nscans\\a.png;"multi\r\nline"\r\nscans\\zz.png;x\r\n..\\secret.png;x\r\nC:\\Users\\me\\b.png;x\r\nnotes.txt;x\r\n';
    writeFileSync(join(dir, 'notes.txt'), 'hi');
    expect(await refused(dir, 'labels.csv', csv)).toBe(
      '4 bad sidecar lines, nothing imported: ' +
        'sidecar labels.csv line 4, field "Image": names "scans\\zz.png", which is not in the folder (looked in scans); ' +
        'sidecar labels.csv line 5, field "Image": "..\\secret.png" points outside the folder (".." is not allowed); ' +
        'sidecar labels.csv line 6, field "Image": "C:\\Users\\me\\b.png" is an absolute path; give names relative to the folder; ' +
        'sidecar labels.csv line 7, field "Image": "notes.txt" cannot be imported (not a PNG, JPEG or WebP image (.txt))',
    );
    const json = await refused(dir, 'labels.jsonl', '{"file":"b.png"}\n{"images":["b.png","gone.png"]}\n{"images":"[1,2]"}\n');
    expect(json).toBe(
      '2 bad sidecar lines, nothing imported: sidecar labels.jsonl line 2, field "images": names "gone.png", which is not in the folder; ' +
        'sidecar labels.jsonl line 3: field "images" is not a list of file names',
    );
  });
});

describe('JSON lines and JSON arrays', () => {
  it('JSONL with a BOM, CRLF, blank lines and a last line without a newline', async () => {
    const dir = await folder(['a.png', 'b.png']);
    const jsonl = `${BOM}{"file":"a.png","answer":"A"}\r\n\r\n   \n{"file":"b.png","answer":"B","total":12.5}`;
    const { rows } = await imported(dir, 'labels.jsonl', jsonl);
    expect(rows.map((r) => [r.line, r.files, r.response])).toEqual([[1, ['a.png'], 'A'], [4, ['b.png'], 'B']]);
  });

  it('a JSON array file instead of JSONL (named .json or .jsonl), with line numbers of each element', async () => {
    const dir = await folder(['a.png', 'b.png']);
    const array = `${BOM}[\n  {"image": "a.png", "fields": {"total": "1"}},\n  {\n    "images": ["a.png", "b.png"], "answer": "both"\n  }\n]\n`;
    for (const name of ['labels.json', 'labels.jsonl']) {
      const { rows } = await imported(dir, name, array);
      expect(rows.map((r) => [r.line, r.files, r.response]), name).toEqual([[2, ['a.png'], { fields: '{"total":"1"}' }], [3, ['a.png', 'b.png'], 'both']]);
    }
    const broken = await refused(dir, 'broken.json', '[\n {"image":"a.png"},\n {"image": "b.png"\n');
    expect(broken).toMatch(/^1 bad sidecar line, nothing imported: sidecar broken\.json line 3: the element is not complete at the end of the file/);
  });
});

/** GB18030 bytes for text (Node decodes GB18030 but does not encode it): each character looked up by decoding. */
function encodeGb18030(text: string): number[] {
  const dec = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [hi, lo]);
    }
  }
  return [...text].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : (table.get(ch) ?? [0x3f])));
}

import { describe, expect, it } from 'vitest';
import { endOfArchive, padding, parseHeader, readTar, tarHeader } from './tar';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function names(buf: Buffer, chunk = 7): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const e of readTar(chunked(buf, chunk))) {
    const parts: Buffer[] = [];
    for await (const c of e.body) parts.push(c);
    out.push([e.name, Buffer.concat(parts).toString()]);
  }
  return out;
}

const entry = (name: string, text: string) => {
  const data = Buffer.from(text);
  return Buffer.concat([tarHeader({ name, size: data.length, mtimeMs: 0 }), data, padding(data.length)]);
};

describe('tar', () => {
  it('reads back what it wrote, whatever the chunk size', async () => {
    const tar = Buffer.concat([entry('a', 'hello'), entry('files/00001', 'x'.repeat(1000)), entry('empty', ''), endOfArchive()]);
    expect(tar.length % 512).toBe(0);
    for (const chunk of [1, 7, 512, 100_000]) expect(await names(tar, chunk)).toEqual([['a', 'hello'], ['files/00001', 'x'.repeat(1000)], ['empty', '']]);
  });

  it('writes sizes past 8 GiB in base-256 and reads them back', () => {
    const size = 3 * 2 ** 33 + 5;
    expect(parseHeader(tarHeader({ name: 'big', size, mtimeMs: 0 }), 0)).toEqual({ name: 'big', size, mtimeMs: 0 });
  });

  it('names the entry that is cut short, a damaged header, and a missing end marker', async () => {
    const tar = Buffer.concat([entry('a', 'hello'), entry('b', 'y'.repeat(2000)), endOfArchive()]);
    await expect(names(tar.subarray(0, 1024 + 512 + 100))).rejects.toThrow('entry "b" is truncated: it needs 2,000 bytes but the archive ends after 100');
    await expect(names(tar.subarray(0, 1024))).rejects.toThrow('the archive ends after 1 entry without its end marker (truncated)');
    const bad = Buffer.from(tar);
    bad[1024 + 3] = 0x41; // inside entry b's name
    await expect(names(bad)).rejects.toThrow('entry 2: its header checksum does not match (the archive is damaged)');
  });
});

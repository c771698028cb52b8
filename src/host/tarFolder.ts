// A folder as one POSIX ustar archive, so the browser host can hand a training package (data, configs,
// scripts) to a browser as a single download. Plain files and folders only; links are left out.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { once } from 'node:events';

const BLOCK = 512;
/** ustar's 11 octal digits of size. */
const MAX_SIZE = 8 ** 11 - 1;

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, length, 'utf8');
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  field(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a long name into ustar's prefix (155 bytes) and name (100 bytes) at a slash, or throws. */
function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`${name}: the path is too long for a tar archive (ustar: 255 bytes)`);
}

function header(name: string, kind: 'file' | 'dir', size: number, mtimeMs: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const parts = splitName(name);
  field(h, 0, 100, parts.name);
  octal(h, 100, 8, kind === 'dir' ? 0o755 : 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.floor(mtimeMs / 1000));
  field(h, 148, 8, '        '); // checksum counts itself as spaces
  field(h, 156, 1, kind === 'dir' ? '5' : '0');
  field(h, 257, 6, 'ustar\0');
  field(h, 263, 2, '00');
  field(h, 345, 155, parts.prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Writes `dir` into the tar file `out`, its entries under `root/`. Resolves with the number of files. */
export async function tarFolder(dir: string, out: string, root: string): Promise<number> {
  const stream = createWriteStream(out, { flags: 'wx', mode: 0o600 });
  let failed: Error | null = null;
  stream.on('error', (e) => (failed ??= e)); // a write error surfaces at the next write or at the end
  const write = async (b: Buffer) => {
    if (failed) throw failed;
    if (!stream.write(b)) await once(stream, 'drain');
  };
  let files = 0;
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const entry of (await readdir(abs)).sort()) {
      const path = join(abs, entry);
      const name = posix.join(rel, entry);
      const st = await lstat(path);
      if (st.isDirectory()) {
        await write(header(`${name}/`, 'dir', 0, st.mtimeMs));
        await walk(path, name);
      } else if (st.isFile()) {
        if (st.size > MAX_SIZE) throw new Error(`${name}: ${st.size} bytes is more than a tar archive entry holds`);
        await write(header(name, 'file', st.size, st.mtimeMs));
        let sent = 0;
        const content = st.size ? createReadStream(path, { end: st.size - 1 }) : [];
        for await (const chunk of content) {
          await write(chunk as Buffer);
          sent += (chunk as Buffer).length;
        }
        if (sent !== st.size) throw new Error(`${name} changed while it was archived`);
        if (st.size % BLOCK) await write(Buffer.alloc(BLOCK - (st.size % BLOCK)));
        files++;
      }
    }
  };
  try {
    await write(header(`${root}/`, 'dir', 0, Date.now()));
    await walk(dir, root);
    await write(Buffer.alloc(BLOCK * 2));
    stream.end();
    await once(stream, 'finish');
    return files;
  } catch (e) {
    stream.destroy();
    await rm(out, { force: true }); // no half archive left to download
    throw e;
  }
}

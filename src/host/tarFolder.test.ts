// The archive is checked with the system's GNU tar: what it lists and extracts must be the folder itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../core/testing/testCore';
import { tarFolder } from './tarFolder';

describe('tarFolder', () => {
  it('archives nested folders, empty and odd-sized files, and names past 100 bytes, as tar extracts them', async () => {
    const src = tempDir('lamplight-tar-src-');
    const deep = join(src, 'data', 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(deep, { recursive: true });
    const big = Buffer.alloc(512 * 3 + 17, 0x5a);
    writeFileSync(join(src, 'README.md'), '# run\n');
    writeFileSync(join(src, 'empty.txt'), '');
    writeFileSync(join(src, 'data', 'train.jsonl'), big);
    writeFileSync(join(deep, 'c.yaml'), 'lr: 0.0001\n');
    const out = join(tempDir('lamplight-tar-out-'), 'pkg.tar');
    expect(await tarFolder(src, out, 'pkg')).toBe(4);

    const listed = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toContain('pkg/README.md');
    expect(listed).toContain('pkg/empty.txt');
    expect(listed).toContain(`pkg/data/${'a'.repeat(60)}/${'b'.repeat(60)}/c.yaml`);
    const dest = tempDir('lamplight-tar-x-');
    execFileSync('tar', ['-xf', out, '-C', dest]);
    expect(readFileSync(join(dest, 'pkg', 'data', 'train.jsonl')).equals(big)).toBe(true);
    expect(readFileSync(join(dest, 'pkg', 'data', 'a'.repeat(60), 'b'.repeat(60), 'c.yaml'), 'utf8')).toBe('lr: 0.0001\n');
    expect(readFileSync(join(dest, 'pkg', 'empty.txt'), 'utf8')).toBe('');
  });

  it('refuses a path no ustar header can hold, naming it', async () => {
    const src = tempDir('lamplight-tar-src-');
    const long = 'x'.repeat(120);
    writeFileSync(join(src, long), 'x');
    const out = join(tempDir(), 'a.tar');
    await expect(tarFolder(src, out, 'pkg')).rejects.toThrow(`pkg/${long}: the path is too long for a tar archive`);
    expect(existsSync(out)).toBe(false);
  });
});

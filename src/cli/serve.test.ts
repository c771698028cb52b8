import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

describe('lamplight serve', () => {
  it('refuses plain HTTP on a non-loopback address: exit 1, with the reason and the way out', async () => {
    const err: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-serve-'));
    const code = await main(['--data-dir', dataDir, 'serve', '--listen', '0.0.0.0:0'], { out: () => undefined, err: (s) => void err.push(s) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/refusing to serve plain HTTP on 0\.0\.0\.0.*--tls self-signed/);
  });
});

// `lamplight image scan|redact` in-process with a real core (real OCR, real sharp) in a temporary data folder.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Core } from '../core/createCore';
import { textImage, validId } from '../core/imageGuard/testing/render';
import { openTestCore, tempDir } from '../core/testing/testCore';
// main first: commands import UsageError from it, so it must start the cycle (as the bin does).
import { UsageError, type CliContext } from './main';
import { imageCommand } from './image';

const dir = tempDir('lamplight-cli-image-');
let core: Core | null = null;
afterAll(async () => {
  await core?.close();
});

async function run(args: string[]) {
  let out = '';
  let err = '';
  const ctx: CliContext = { args, dataDir: '', version: '0.0.0-test', out: (s) => void (out += s), err: (s) => void (err += s), openCore: () => (core ??= openTestCore()) };
  const code = await imageCommand.run(ctx);
  return { code, out, err };
}

describe('lamplight image', () => {
  it('redact --json prints regions (type, box), writes the painted image; scan shows masked values only', { timeout: 120_000 }, async () => {
    const id = validId('987');
    const file = join(dir, 'id.png');
    writeFileSync(file, await textImage([`ID: ${id}`, 'Date 2025-10-01']));
    const scan = await run(['scan', file, '--json']);
    expect(scan.code).toBe(0);
    const s = JSON.parse(scan.out) as { findings: { type: string; masked: string }[]; counts: Record<string, number> };
    expect(s.counts).toEqual({ id_card: 1 });
    expect(s.findings[0]?.masked).toMatch(/\*{4,}/);
    expect(scan.out).not.toContain(id);

    const out = join(dir, 'out.png');
    const r = await run(['redact', file, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { regions: { type: string; box: { x: number; y: number; w: number; h: number } }[]; sentHash: string };
    expect(j.regions.map((g) => g.type)).toEqual(['id_card']);
    expect(j.regions[0]?.box.w).toBeGreaterThan(50);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
    const again = await run(['scan', out, '--json']);
    expect((JSON.parse(again.out) as { counts: object }).counts).toEqual({});
  });

  it('names a bad file and the reason; usage errors for a missing --out', async () => {
    const bad = join(dir, 'notes.jpg');
    writeFileSync(bad, 'not an image at all');
    const r = await run(['scan', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}: `);
    const missing = await run(['scan', join(dir, 'nope.png')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.png: no such file/);
    await expect(run(['redact', bad])).rejects.toThrow(UsageError);
  });
});

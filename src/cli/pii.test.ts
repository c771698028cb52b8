// `lamplight pii scan|mask` in-process: a fake context captures output; the policy comes from a real core
// in a temporary data folder, or from a fake core that fails to read it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core/createCore';
import { openTestCore, tempDir } from '../core/testing/testCore';
// main first: commands import UsageError from it, so it must start the cycle (as the bin does).
import { UsageError, type CliContext } from './main';
import { piiCommand } from './pii';

const ID = '11010519491231002X';
const PHONE = '13812345678';
const CARD = '6200000000000005';

const cores: Core[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

async function run(args: string[], openCore: () => Core = () => ({ invoke: () => Promise.reject(new Error('no core in this test')) }) as unknown as Core) {
  let out = '';
  let err = '';
  const ctx: CliContext = { args, dataDir: '', version: '0.0.0-test', out: (s) => void (out += s), err: (s) => void (err += s), openCore };
  const code = await piiCommand.run(ctx);
  return { code, out, err };
}

function file(text: string): string {
  const f = join(tempDir('lamplight-cli-pii-'), 'in.txt');
  writeFileSync(f, text);
  return f;
}

const TEXT = [`客户 身份证${ID}，电话 ${PHONE}`, 'nothing here', `again ${PHONE}, card ${CARD}, E123456`, ''].join('\n');

describe('lamplight pii', () => {
  it('scan lists line, columns, kind, redacted form and placeholder, never the raw value', async () => {
    const r = await run(['scan', file(TEXT), '--no-custom']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [`1:6-24\tid_card\t1101************2X\t[ID_1]`, `1:28-39\tphone\t138****5678\t[PHONE_1]`, `3:6-17\tphone\t138****5678\t[PHONE_1]`, `3:24-40\tbank_card\t6200********0005\t[CARD_1]`, '4 findings', ''].join('\n'),
    );
    for (const raw of [ID, PHONE, CARD]) expect(r.out).not.toContain(raw);
  });

  it('scan --json prints one object per finding', async () => {
    const r = await run(['scan', file(TEXT), '--json', '--no-custom']);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({ line: 1, kind: 'id_card', start: 6, end: 24, redacted: '1101************2X', placeholder: '[ID_1]' });
  });

  it('mask prints the file with stable placeholders and counts on stderr', async () => {
    const r = await run(['mask', file(TEXT), '--no-custom']);
    expect(r.out).toBe(['客户 身份证[ID_1]，电话 [PHONE_1]', 'nothing here', 'again [PHONE_1], card [CARD_1], E123456', ''].join('\n'));
    expect(r.err).toBe('masked id_card 1, phone 2, bank_card 1\n');
  });

  it('applies the custom rules of the stored guard policy', async () => {
    const core = openTestCore();
    cores.push(core);
    const p = await core.invoke('guard.getPolicy', {});
    await core.invoke('guard.setPolicy', { policy: { ...p, pii: { ...p.pii, customRules: [{ name: 'EMPLOYEE_NO', pattern: 'E\\d{6}', flags: '' }] } } });
    const r = await run(['mask', file(TEXT)], () => core);
    expect(r.code).toBe(0);
    expect(r.out).toContain('again [PHONE_1], card [CARD_1], [EMPLOYEE_NO_1]');
    expect(r.err).toBe('masked id_card 1, phone 2, bank_card 1, EMPLOYEE_NO 1\n');
  });

  it('notes an unreadable policy on stderr and goes on with the built-in detectors', async () => {
    const r = await run(['mask', file(`tel ${PHONE}`)]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('tel [PHONE_1]');
    expect(r.err).toMatch(/note: custom rules not read from the guard policy \(no core in this test\)/);
  });

  it('names an unreadable file and exits 1; bad usage is a UsageError', async () => {
    const r = await run(['scan', '/nonexistent/pii.txt', '--no-custom']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read \/nonexistent\/pii\.txt/);
    await expect(run(['frobnicate', 'x'])).rejects.toThrow(UsageError);
    await expect(run(['scan'])).rejects.toThrow(/needs a FILE/);
    await expect(run(['mask', 'x', '--json'])).rejects.toThrow(/scan only/);
  });

  it('refuses UTF-16 and binary files instead of reporting them clean', async () => {
    const f = join(tempDir('lamplight-cli-pii-'), 'utf16.txt');
    writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ID 11010519491231002X', 'utf16le')]));
    const r = await run(['scan', f, '--no-custom']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/utf16\.txt is not UTF-8 text \(UTF-16 or binary\)/);
  });
});

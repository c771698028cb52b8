// `lamplight api-key issue/list/revoke/usage` and `serve-api`'s TLS refusal, through main() on a real data
// folder; the profile is made first by a core on the same database.
import { describe, expect, it } from 'vitest';
import { createCore } from '../core/createCore';
import { tempDir } from '../core/testing/testCore';
import { main } from './main';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

describe('lamplight api-key', () => {
  it('issues a key once (JSON), lists it with its limits, shows usage, and revokes it', async () => {
    const dataDir = tempDir();
    const core = createCore({ dataDir, version: '0.0.0-test', transport: 'browser-host' });
    await core.invoke('profiles.create', { name: 'Dana', role: 'prompt_engineer' });
    await core.close();
    const d = ['--data-dir', dataDir, 'api-key'];

    const issued = await cli(...d, 'issue', '--profile', 'Dana', '--rpm', '30', '--tokens-per-day', '5000', '--budget', '2.5', '--json');
    expect(issued.code).toBe(0);
    const { key, info } = JSON.parse(issued.out) as { key: string; info: { id: string; prefix: string; profileName: string; ratePerMinute: number; tokenQuota: number; quotaPeriod: string; budgetPerMonth: number } };
    expect(key.startsWith(info.prefix)).toBe(true);
    expect(info).toMatchObject({ profileName: 'Dana', ratePerMinute: 30, tokenQuota: 5000, quotaPeriod: 'day', budgetPerMonth: 2.5 });

    const listed = await cli(...d, 'list', '--json');
    const keys = JSON.parse(listed.out) as { id: string; revokedAt: number | null }[];
    expect(keys.map((k) => k.id)).toEqual([info.id]);
    expect(listed.out).not.toContain(key); // the key itself is never shown again
    expect((await cli(...d, 'list')).out).toMatch(/Dana.*30 rpm, 5000 tokens\/day, budget 2\.5\/month/);

    const usage = await cli(...d, 'usage', '--json');
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.out)).toEqual([]);
    expect((await cli(...d, 'usage')).out).toContain('No API requests this month');

    const revoked = await cli(...d, 'revoke', info.id);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`Revoked ${info.prefix}`);
    expect((JSON.parse((await cli(...d, 'list', '--json')).out) as { revokedAt: number | null }[])[0]?.revokedAt).not.toBeNull();
  });

  it('issues a metrics-scoped key and prints it once in text form', async () => {
    const dataDir = tempDir();
    const core = createCore({ dataDir, version: '0.0.0-test', transport: 'browser-host' });
    await core.invoke('profiles.create', { name: 'Prometheus', role: 'analyst' });
    await core.close();
    const r = await cli('--data-dir', dataDir, 'api-key', 'issue', '--profile', 'prometheus', '--scope', 'metrics');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Key for Prometheus .*\n {2}\S{20,}\n\(shown once/);
    expect((JSON.parse((await cli('--data-dir', dataDir, 'api-key', 'list', '--json')).out) as { scope: string }[])[0]?.scope).toBe('metrics');
  });

  it('refuses bad input with the flag and the reason', async () => {
    const dataDir = tempDir();
    const d = ['--data-dir', dataDir, 'api-key'];
    const noProfile = await cli(...d, 'issue', '--profile', 'Nobody');
    expect(noProfile.code).toBe(1);
    expect(noProfile.err).toMatch(/--profile: no profile named "Nobody"/);
    const badRpm = await cli(...d, 'issue', '--profile', 'X', '--rpm', '1.5');
    expect(badRpm.code).toBe(2);
    expect(badRpm.err).toMatch(/--rpm must be a positive whole number, got "1\.5"/);
    expect((await cli(...d, 'issue', '--profile', 'X', '--budget=0')).err).toMatch(/--budget must be a positive number/);
    expect((await cli(...d, 'revoke', 'nope')).err).toMatch(/no API key with ID or prefix "nope"/);
    expect((await cli(...d, 'frobnicate')).code).toBe(2);
  });
});

describe('lamplight serve-api --listen', () => {
  it('refuses plain HTTP on a non-loopback address before loading anything: exit 1 with the reason', async () => {
    const r = await cli('--data-dir', tempDir(), 'serve-api', '--model', 'none.gguf', '--listen', '0.0.0.0:0');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refusing to serve plain HTTP on 0\.0\.0\.0: API keys would cross the network unencrypted\. Add --tls self-signed/);
  });

  it('refuses --tls with anything but self-signed, and a cert without a key (exit 2)', async () => {
    expect((await cli('--data-dir', tempDir(), 'serve-api', '--model', 'm', '--listen', '0.0.0.0:0', '--tls', 'yes')).err).toMatch(/--tls takes only "self-signed"/);
    const r = await cli('--data-dir', tempDir(), 'serve-api', '--model', 'm', '--tls-cert', 'c.pem');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--tls-cert and --tls-key go together/);
  });
});

// The API server for a team: plain HTTP off loopback is refused before anything starts; with a self-signed
// certificate it serves HTTPS to a client that trusts that certificate (`ca`), and a per-profile key works
// over it. Real openssl, real TLS, real llama.cpp on the tiny model.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServerSettings } from '../../shared/apiServer.schema';
import type { Core } from '../createCore';
import { CoreError } from '../errors';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../testing/testCore';
import { certFingerprint } from '../tls/tls';

let core: Core;
let dataDir: string;

beforeAll(async () => {
  const fx = await ensureFixtureModels();
  dataDir = tempDir();
  core = openTestCore({ dataDir });
  const model = await core.invoke('models.add', { path: fx.tinyQ8_0 });
  await core.models.idle();
  await core.invoke('engine.load', { modelId: model.id, settings: { gpu: 'cpu', contextSize: 512, threads: 1 } });
});
afterAll(async () => {
  await core?.close();
});

/** POST /v1/chat/completions over HTTPS, trusting only `ca` (none: the system's roots). */
function chat(url: string, key: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/chat/completions`, { method: 'POST', ca, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }));
  });
}

describe('API server with TLS', () => {
  it('refuses plain HTTP on a non-loopback address, naming the address and the way out, and stays stopped', async () => {
    const err = await core.invoke('apiServer.start', ApiServerSettings.parse({ port: 0, host: '0.0.0.0' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe('BAD_INPUT');
    expect((err as Error).message).toMatch(/Refusing to serve plain HTTP on 0\.0\.0\.0.*TLS/);
    expect(core.apiServer.status().running).toBe(false);
  });

  it('names the missing file when TLS files do not exist', async () => {
    const settings = ApiServerSettings.parse({ port: 0, host: '0.0.0.0', tls: 'files', tlsCert: join(dataDir, 'nope.pem'), tlsKey: join(dataDir, 'nope-key.pem') });
    await expect(core.invoke('apiServer.start', settings)).rejects.toThrow(/--tls-cert .*nope\.pem: no such file/);
  });

  it('serves HTTPS with a self-signed certificate; a per-profile key works for a client trusting it', async () => {
    const { status, key: ownerKey } = await core.invoke('apiServer.start', ApiServerSettings.parse({ port: 0, host: '127.0.0.1', tls: 'self-signed' }));
    try {
      expect(status.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
      const cert = readFileSync(join(dataDir, 'tls', 'self-signed-cert.pem'), 'utf8');
      expect(status.fingerprint).toBe(certFingerprint(cert));
      expect(status.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

      const profile = await core.invoke('profiles.create', { name: 'Remote analyst', role: 'prompt_engineer' });
      const { key, info } = await core.invoke('apiServer.issueKey', { profileId: profile.id, name: 'laptop', scope: 'inference', ratePerMinute: null, tokenQuota: null, quotaPeriod: 'month', budgetPerMonth: null });
      const url = status.baseUrl as string;
      const ok = await chat(url, key, cert);
      expect(ok.status).toBe(200);
      expect((JSON.parse(ok.body) as { choices: unknown[] }).choices).toHaveLength(1);
      expect((await core.invoke('apiServer.listKeys', {})).find((k) => k.id === info.id)?.lastUsedAt).not.toBeNull();

      // Without the certificate trusted the handshake fails; a wrong key still gets 401 over TLS.
      await expect(chat(url, key)).rejects.toThrow(/self[- ]signed|unable to verify/i);
      expect((await chat(url, `${ownerKey}x`, cert)).status).toBe(401);
    } finally {
      await core.invoke('apiServer.stop', {});
    }
    expect(core.apiServer.status()).toMatchObject({ running: false, fingerprint: null });
  });
});

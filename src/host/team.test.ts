// The team server: TLS refused-or-required, a self-signed certificate made once and trusted by a client
// through its PEM, public names in the Host/Origin checks, Secure cookies, and access links that expire,
// are revoked, rotate, and record where they were used from; failed tokens limited per address.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import type { Core } from '../core/createCore';
import { openTestCore, tempDir } from '../core/testing/testCore';
import { startHost, type Host } from './server';
import { certFingerprint, isLoopback, parseListen, readTlsFiles, selfSignedTls } from './tls';
import { callOn, openTestSocket, valueOf, type TestSocket } from './testing/wsClient';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function getTls(port: number, path: string, ca: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost', headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function staticDir(): string {
  const dir = tempDir('lamplight-static-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>team</title>');
  return dir;
}

describe('starting', () => {
  it('refuses plain HTTP on a non-loopback address, at the CLI (exit 1, with the reason) and in startHost', async () => {
    const err: string[] = [];
    const code = await main(['--data-dir', tempDir(), 'serve', '--listen', '0.0.0.0:0'], { out: () => undefined, err: (s) => void err.push(s) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/refusing to serve plain HTTP on 0\.0\.0\.0.*--tls self-signed/);
    const core = openTestCore();
    try {
      await expect(startHost({ core, staticDir: staticDir(), listen: '0.0.0.0', port: 0 })).rejects.toThrow(/Refusing to serve plain HTTP on 0\.0\.0\.0/);
    } finally {
      await core.close();
    }
  });

  it('parses listen addresses and knows loopback', () => {
    expect(parseListen('0.0.0.0:8443')).toEqual({ host: '0.0.0.0', port: 8443 });
    expect(parseListen('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(() => parseListen('8443')).toThrow(/--listen must be HOST:PORT/);
    expect(['127.0.0.1', '127.9.9.9', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.5', '::'].some(isLoopback)).toBe(false);
  });

  it('makes a self-signed certificate once (key 0600, names as SANs), reuses it, and prints the fingerprint as openssl does', () => {
    const dir = tempDir();
    const first = selfSignedTls(dir, ['lamplight.test']);
    expect(first.created).toBe(true);
    expect(statSync(join(dir, 'tls', 'self-signed-key.pem')).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(first.cert).subjectAltName).toMatch(/DNS:lamplight\.test.*IP Address:127\.0\.0\.1|IP Address:127\.0\.0\.1.*DNS:lamplight\.test/);
    const again = selfSignedTls(dir, ['lamplight.test']);
    expect(again.created).toBe(false);
    expect(again.cert).toBe(first.cert);
    const printed = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'tls', 'self-signed-cert.pem')], { encoding: 'utf8' });
    expect(certFingerprint(first.cert)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(printed.trim().split('=')[1]).toBe(certFingerprint(first.cert));
    // A new public name the certificate does not cover makes a new one.
    expect(selfSignedTls(dir, ['other.test']).created).toBe(true);
  });

  it('reads --tls-cert/--tls-key, naming the file and the reason when they are missing or do not match', () => {
    const a = tempDir();
    const b = tempDir();
    selfSignedTls(a, []);
    selfSignedTls(b, []);
    const cert = join(a, 'tls', 'self-signed-cert.pem');
    expect(readTlsFiles(cert, join(a, 'tls', 'self-signed-key.pem')).cert).toContain('BEGIN CERTIFICATE');
    expect(() => readTlsFiles(cert, join(b, 'tls', 'self-signed-key.pem'))).toThrow(/--tls-key .*self-signed-key\.pem: this key does not belong to the certificate/);
    expect(() => readTlsFiles(join(a, 'nope.pem'), join(a, 'tls', 'self-signed-key.pem'))).toThrow(/--tls-cert .*nope\.pem: no such file/);
    expect(() => readTlsFiles(join(a, 'tls', 'self-signed-key.pem'), join(a, 'tls', 'self-signed-key.pem'))).toThrow(/--tls-cert .*: not a PEM certificate/);
  });
});

describe('a team server over TLS', () => {
  let core: Core;
  let host: Host;
  let ca: string;
  const sockets: TestSocket[] = [];
  const publicUrl = 'https://lamplight.test:8443';

  beforeAll(async () => {
    const dataDir = tempDir();
    core = openTestCore({ dataDir });
    const tls = selfSignedTls(dataDir, ['lamplight.test']);
    ca = tls.cert;
    host = await startHost({ core, staticDir: staticDir(), port: 0, tls, publicUrls: [publicUrl], expirySweepMs: 100 });
  });
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await host?.close();
    await core?.close();
  });
  const socket = async (token: string, origin?: string) => {
    const s = await openTestSocket(host.port, token, { ca, origin });
    sockets.push(s);
    return s;
  };

  it('serves HTTPS to a client trusting the certificate, sets a Secure cookie, and accepts the public name', async () => {
    expect(host.url).toBe(`${publicUrl}/?token=${host.token}`);
    expect(host.fingerprint).toBe(certFingerprint(ca));
    const r = await getTls(host.port, `/?token=${host.token}`, ca);
    expect(r.status).toBe(200);
    expect(r.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Secure$/);
    expect((await getTls(host.port, `/?token=${host.token}`, ca, { Host: 'lamplight.test:8443' })).status).toBe(200);
    expect((await getTls(host.port, `/?token=${host.token}`, ca, { Host: 'evil.test:8443' })).status).toBe(401);
    // Without the certificate trusted, the client refuses the connection.
    await expect(getTls(host.port, '/', '')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('opens a WSS socket from the public origin and refuses a foreign Origin even with the owner token', async () => {
    const s = await socket(host.token, publicUrl);
    expect((await valueOf<{ role: string }>(s, 'session.whoami', {})).role).toBe('admin');
    await expect(socket(host.token, 'https://evil.test:8443')).rejects.toThrow(/401/);
    await expect(socket(host.token, `http://127.0.0.1:${host.port}`)).rejects.toThrow(/401/);
  });

  it('records where a link was used from; a revoked link gets 401 and its socket is closed at once', async () => {
    const admin = await socket(host.token);
    const p = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Rev', role: 'labeler' });
    const { token, expiresAt } = await valueOf<{ token: string; expiresAt: number }>(admin, 'profiles.issueToken', { profileId: p.id, expiresInDays: 7 });
    expect(expiresAt - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const lab = await socket(token);
    const link = (await valueOf<{ profileId: string; state: string; lastSeenFrom: string | null; lastSeenAt: number | null }[]>(admin, 'profiles.links', {})).find((l) => l.profileId === p.id);
    expect(link).toMatchObject({ state: 'active', lastSeenFrom: expect.stringMatching(/127\.0\.0\.1/) });
    const closed = new Promise<number>((resolve) => lab.ws.once('close', (c) => resolve(c)));
    expect(await valueOf(admin, 'profiles.revokeToken', { profileId: p.id })).toMatchObject({ state: 'revoked' });
    expect(await closed).toBe(4001);
    expect((await getTls(host.port, `/?token=${token}`, ca)).status).toBe(401);
  });

  it('an expired link gets 401 and its open socket is closed', async () => {
    const admin = await socket(host.token);
    const p = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Exp', role: 'analyst' });
    const { token } = await valueOf<{ token: string }>(admin, 'profiles.issueToken', { profileId: p.id });
    const s = await socket(token);
    const closed = new Promise<number>((resolve) => s.ws.once('close', (c) => resolve(c)));
    core.db.prepare('UPDATE profiles SET token_expires_at = ? WHERE id = ?').run(Date.now() - 1, p.id);
    expect(await closed).toBe(4001);
    expect((await getTls(host.port, `/?token=${token}`, ca)).status).toBe(401);
    const link = (await valueOf<{ profileId: string; state: string }[]>(admin, 'profiles.links', {})).find((l) => l.profileId === p.id);
    expect(link?.state).toBe('expired');
  });

  it('rotates the owner launch token: the old one stops working at once, and only the owner may rotate', async () => {
    const old = host.token;
    const admin = await socket(old);
    const other = await valueOf<{ id: string }>(admin, 'profiles.create', { name: 'Second admin', role: 'admin' });
    const { token: otherToken } = await valueOf<{ token: string }>(admin, 'profiles.issueToken', { profileId: other.id });
    const second = await socket(otherToken);
    expect((await callOn(second, 'profiles.rotateLaunchToken', { confirm: true })).error).toMatchObject({ code: 'FORBIDDEN' });
    const closed = new Promise<number>((resolve) => admin.ws.once('close', (c) => resolve(c)));
    // The owner's own socket gets the new token in the reply, then closes like every other on the old token.
    const { token } = await valueOf<{ token: string }>(admin, 'profiles.rotateLaunchToken', { confirm: true });
    expect(await closed).toBe(4001);
    expect((await getTls(host.port, `/?token=${old}`, ca)).status).toBe(401);
    expect((await getTls(host.port, `/?token=${token}`, ca)).status).toBe(200);
    host.token = token; // later tests (and afterAll) use the owner's current token
  });
});

describe('failed tokens', () => {
  it('are limited per address (429 with Retry-After, even for a valid token) and audited without the token', async () => {
    const core = openTestCore();
    const dataDir = tempDir();
    const tls = selfSignedTls(dataDir, []);
    const host = await startHost({ core, staticDir: staticDir(), port: 0, tls, tokenFailures: { maxFailures: 3, windowMs: 60_000, blockMs: 60_000 } });
    try {
      const guesses = ['guess-one-aaaaaaaaaaaaaaaa', 'guess-two-bbbbbbbbbbbbbbbb', 'guess-three-cccccccccccccc'];
      for (const g of guesses) expect((await getTls(host.port, `/?token=${g}`, tls.cert)).status).toBe(401);
      const blocked = await getTls(host.port, `/?token=${host.token}`, tls.cert);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      await expect(openTestSocket(host.port, host.token, { ca: tls.cert })).rejects.toThrow(/429/);
      const denied = await core.invoke('audit.list', { filter: { kind: 'denied' }, limit: 50 });
      expect(denied.total).toBe(3);
      const text = JSON.stringify(denied);
      expect(text).toMatch(/127\.0\.0\.1/);
      for (const g of guesses) expect(text).not.toContain(g);
    } finally {
      await host.close();
      await core.close();
    }
  });
});

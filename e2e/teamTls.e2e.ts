// The team labeling flow over TLS: `lamplight serve --listen 127.0.0.1:0 --tls self-signed`, and a Chromium
// that trusts exactly that certificate's key (--ignore-certificate-errors-spki-list pins its SubjectPublicKeyInfo
// hash; every other certificate error still fails), not ignoreHTTPSErrors. The same Chromium without the
// pin refuses the server, and the certificate served is the one whose fingerprint `serve` printed.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { expect, test, type Browser } from '@playwright/test';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { teamFlow } from './support/teamFlow';

const SHOTS = process.env.TEAM_SHOTS ?? '/tmp/shots-team-tls';
let host: RunningHost;
let cert: string;

test.beforeAll(async () => {
  host = await startHostProcess(undefined, ['--listen', '127.0.0.1:0', '--tls', 'self-signed']);
  cert = readFileSync(join(host.dataDir, 'tls', 'self-signed-cert.pem'), 'utf8');
});
test.afterAll(async () => {
  await host?.stop();
});

/** The fingerprint of the certificate the server presents, read by a TLS client that trusts only it. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca: cert }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.once('error', reject);
  });
}

test('over TLS with the self-signed certificate trusted: assignment, two labelers, kappa, review, export', async ({ browser, playwright, launchOptions }) => {
  expect(host.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
  const port = Number(new URL(host.url).port);
  // What users are told to check is what is served.
  expect(host.fingerprint).toBe(new X509Certificate(cert).fingerprint256);
  expect(await servedFingerprint(port)).toBe(host.fingerprint);

  // Untrusted, Chromium refuses the page: trust below comes from the pin alone.
  const plain = await (await browser.newContext()).newPage();
  await expect(plain.goto(host.url)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);

  const spki = createHash('sha256').update(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  const trusting: Browser = await playwright.chromium.launch({ ...launchOptions, args: [...(launchOptions.args ?? []), `--ignore-certificate-errors-spki-list=${spki}`] });
  try {
    const context = await trusting.newContext();
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);
    await teamFlow(page, trusting, host, SHOTS);
    // The access cookie never travels over plain HTTP.
    expect((await context.cookies()).find((c) => c.name === 'lamplight_token')).toMatchObject({ secure: true, httpOnly: true });
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  } finally {
    await trusting.close();
  }
});

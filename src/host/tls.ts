// TLS for the team server: the listen address and its loopback check, a certificate given as files or a
// self-signed one made once with the openssl CLI (Node cannot make X.509 certificates) and kept in the data
// folder, and its SHA-256 fingerprint as `openssl x509 -noout -fingerprint -sha256` prints it.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses HOST:PORT (IPv6 in brackets: [::1]:8443). Throws a message naming --listen and the reason. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen must be HOST:PORT (e.g. 0.0.0.0:8443 or [::]:8443), got "${text}"`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Upper-case hex with colons, exactly as openssl prints it (Node's fingerprint256 has that form). */
export function certFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Reads a certificate and key given as files; errors name the file and the reason. */
export function readTlsFiles(certFile: string, keyFile: string): TlsFiles {
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  };
  const cert = read(certFile, '--tls-cert');
  const key = read(keyFile, '--tls-key');
  try {
    const x = new X509Certificate(cert);
    if (!x.checkPrivateKey(createPrivateKeySafe(key, keyFile))) throw new Error(`--tls-key ${keyFile}: this key does not belong to the certificate ${certFile}`);
  } catch (e) {
    if ((e as Error).message.startsWith('--tls-')) throw e;
    throw new Error(`--tls-cert ${certFile}: not a PEM certificate (${(e as Error).message})`);
  }
  return { cert, key };
}

function createPrivateKeySafe(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new Error(`--tls-key ${file}: not a PEM private key (${(e as Error).message})`);
  }
}

function sanOf(names: readonly string[]): string {
  const all = new Set(['localhost', '127.0.0.1', ...names]);
  return [...all].map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
}

/** Whether the certificate names every host (as DNS name or IP) clients will use. */
function covers(certPem: string, names: readonly string[]): boolean {
  const x = new X509Certificate(certPem);
  return names.every((n) => (isIP(n) ? x.checkIP(n) !== undefined : x.checkHost(n) !== undefined));
}

/**
 * The self-signed certificate in `<dataDir>/tls/`: made on first use (EC P-256, 825 days, the names as
 * SubjectAltNames), reused on later starts, and made again only when a new public name is not covered.
 */
export function selfSignedTls(dataDir: string, names: readonly string[]): TlsFiles & { created: boolean } {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'self-signed-cert.pem');
  const keyFile = join(dir, 'self-signed-key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (covers(cert, names)) return { cert, key: readFileSync(keyFile, 'utf8'), created: false };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cn = names.find((n) => !isIP(n)) ?? 'localhost';
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825',
        '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${cn}/O=Lamplight self-signed`, '-addext', `subjectAltName=${sanOf(names)}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? '--tls self-signed needs the openssl command (Node cannot make certificates): install openssl, or pass --tls-cert FILE --tls-key FILE'
        : `--tls self-signed: openssl could not make the certificate: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`,
    );
  }
  chmodSync(keyFile, 0o600);
  chmodSync(certFile, 0o600);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), created: true };
}

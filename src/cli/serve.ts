import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePublicUrl } from '../host/access';
import { hostErrorLogger } from '../host/httpGuard';
import { startHost, type HostOptions } from '../host/server';
import { parseListen, readTlsFiles, selfSignedTls, type TlsFiles } from '../core/tls/tls';
import { parseFlags, UsageError, type Command } from './main';
import { tlsModeFor } from './tlsFlags';
import { installSafetyNet } from './safetyNet';

export function rendererDir(): string {
  return fileURLToPath(new URL('../../out/renderer', import.meta.url));
}

/** The owner's launch token of a team server, kept (0600) so links survive a restart; rotated on request. */
function launchToken(dataDir: string, rotate: boolean): { token: string; persist: (t: string) => void } {
  const file = join(dataDir, 'host', 'owner-token');
  const persist = (t: string) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${t}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  const kept = !rotate && existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const token = kept.length >= 24 ? kept : randomBytes(24).toString('base64url');
  if (token !== kept) persist(token);
  return { token, persist };
}

interface ServeSettings {
  listen: string;
  port: number;
  publicUrls: string[];
  tlsMode: 'none' | 'files' | 'self-signed';
}

/** Reads the flags into settings; every refusal names the flag and the reason, before anything starts. */
function settings(values: Record<string, string | string[] | boolean | undefined>): ServeSettings & { certFile?: string; keyFile?: string } {
  const str = (k: string) => values[k] as string | undefined;
  if (str('listen') !== undefined && str('port') !== undefined) throw new UsageError('give --listen HOST:PORT or --port P, not both');
  let listen = '127.0.0.1';
  let port = 5173;
  if (str('listen') !== undefined) {
    try {
      ({ host: listen, port } = parseListen(str('listen') as string));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  } else if (str('port') !== undefined) {
    port = Number(str('port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got "${str('port')}"`);
  }
  const publicUrls = ((values['public-url'] as string[] | undefined) ?? []).map((u) => {
    try {
      return parsePublicUrl(u);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  const tlsMode = tlsModeFor(str, listen, 'access tokens');
  return { listen, port, publicUrls, tlsMode, certFile: str('tls-cert'), keyFile: str('tls-key') };
}

export const serveCommand: Command = {
  summary: 'start the browser host (the Lamplight UI; 127.0.0.1, or a team server with TLS) and print its URL',
  usage: [
    'Usage: lamplight serve [--port P | --listen HOST:PORT] [TLS options] [--public-url URL]... [--data-dir DIR]',
    '',
    'Serves the Lamplight UI and its API. The printed URL carries the owner\'s launch token; every request and',
    'WebSocket must present it or a profile\'s access link (Guardrails → Profiles). Stop with Ctrl+C.',
    '',
    '  --port P              port on 127.0.0.1 (default: 5173; 0 picks a free one); a new token each launch',
    '  --listen HOST:PORT    address to listen on, e.g. 0.0.0.0:8443; other than loopback needs TLS.',
    '                        The owner token is kept in DATA/host/owner-token and reused at the next start.',
    '  --tls self-signed     make a certificate once (DATA/tls/, via openssl), reuse it, print its fingerprint',
    '  --tls-cert F --tls-key F   serve this certificate and key (PEM)',
    '  --public-url URL      the https://NAME:PORT users open (repeatable); the Host/Origin checks accept it',
    '  --rotate-token        make a new owner token now: the previous one stops working',
  ].join('\n'),
  async run(ctx) {
    const { values } = parseFlags(ctx.args, {
      port: { type: 'string' },
      listen: { type: 'string' },
      tls: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'public-url': { type: 'string', multiple: true },
      'rotate-token': { type: 'boolean' },
    });
    const s = settings(values);
    const names = s.publicUrls.map((u) => new URL(u).hostname.replace(/^\[|\]$/g, ''));
    if (!['0.0.0.0', '::'].includes(s.listen)) names.push(s.listen);
    let tls: TlsFiles | undefined;
    if (s.tlsMode === 'files') tls = readTlsFiles(s.certFile as string, s.keyFile as string);
    else if (s.tlsMode === 'self-signed') {
      const made = selfSignedTls(ctx.dataDir, names);
      if (made.created) ctx.err(`Made a self-signed certificate in ${join(ctx.dataDir, 'tls')} for ${[...new Set(['localhost', '127.0.0.1', ...names])].join(', ')}\n`);
      tls = made;
    }
    const staticDir = rendererDir();
    if (!existsSync(`${staticDir}/index.html`)) {
      throw new Error(`The UI is not built (${staticDir}/index.html is missing). Run "npm run build" first, or use "npm run serve".`);
    }
    const team = values.listen !== undefined;
    const owner = team ? launchToken(ctx.dataDir, values['rotate-token'] === true) : null;
    const core = ctx.openCore();
    // A bug in one request handler is logged with its stack; the host and the database stay up.
    const uninstall = installSafetyNet(ctx.err);
    const opts: HostOptions = { core, staticDir, port: s.port, listen: s.listen, tls, publicUrls: s.publicUrls, onError: hostErrorLogger(ctx.err) };
    const host = await startHost(owner ? { ...opts, token: owner.token, persistToken: owner.persist } : opts);
    const lines = [`Lamplight ${ctx.version} — ${team ? 'team server' : 'browser host'}`, `  data: ${ctx.dataDir}`, `  listening: ${s.listen.includes(':') ? `[${s.listen}]` : s.listen}:${host.port}`, `  open: ${host.url}`];
    if (host.fingerprint) lines.push(`  certificate SHA-256 fingerprint: ${host.fingerprint}`, '  (users check it against what their browser shows before trusting the certificate)');
    lines.push('  (this link acts as the owner, an admin; give others their own links in Guardrails → Profiles)');
    ctx.out(`${lines.join('\n')}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ctx.out('Stopping…\n');
    await host.close();
    await core.close();
    uninstall();
    return 0;
  },
};

// The TLS flags `serve` and `serve-api` share: --tls self-signed, or --tls-cert FILE --tls-key FILE, and the
// rule that plain HTTP stays on loopback (what crosses the network would be readable: tokens, API keys).
import { isLoopback } from '../core/tls/tls';
import { UsageError } from './main';

export type TlsMode = 'none' | 'self-signed' | 'files';

/** The TLS mode the flags ask for; refuses a misuse (exit 2) and plain HTTP off loopback (exit 1, `secrets` named). */
export function tlsModeFor(str: (flag: string) => string | undefined, host: string, secrets: string): TlsMode {
  const tls = str('tls');
  if (tls !== undefined && tls !== 'self-signed') throw new UsageError(`--tls takes only "self-signed" (or use --tls-cert FILE --tls-key FILE), got "${tls}"`);
  if ((str('tls-cert') === undefined) !== (str('tls-key') === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (tls && str('tls-cert')) throw new UsageError('give --tls self-signed or --tls-cert/--tls-key, not both');
  const mode: TlsMode = tls ? 'self-signed' : str('tls-cert') ? 'files' : 'none';
  if (mode === 'none' && !isLoopback(host)) {
    throw new Error(`refusing to serve plain HTTP on ${host}: ${secrets} would cross the network unencrypted. Add --tls self-signed (or --tls-cert FILE --tls-key FILE), or listen on 127.0.0.1.`);
  }
  return mode;
}

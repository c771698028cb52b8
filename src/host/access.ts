// Who may reach the team server: the Host and Origin names it answers to (loopback plus the configured
// public URLs), and a per-address limit on failed access tokens, so links cannot be guessed at speed.

export interface TokenFailureLimits {
  /** Failed tokens allowed from one address within windowMs… */
  maxFailures: number;
  windowMs: number;
  /** …after which that address gets 429 for this long. */
  blockMs: number;
}

export const DEFAULT_TOKEN_FAILURE_LIMITS: TokenFailureLimits = { maxFailures: 10, windowMs: 60_000, blockMs: 5 * 60_000 };

/** Addresses remembered at most; past this, the oldest entries are dropped (a flood cannot grow memory). */
const MAX_ADDRESSES = 10_000;

export class FailedTokenLimiter {
  private readonly byAddress = new Map<string, { times: number[]; blockedUntil: number }>();

  constructor(private readonly limits: TokenFailureLimits) {}

  /** Milliseconds the address stays refused; 0 when it may try. */
  blockedFor(address: string, now: number): number {
    const e = this.byAddress.get(address);
    return e && e.blockedUntil > now ? e.blockedUntil - now : 0;
  }

  /** Counts a failure; true when this one starts a block. */
  fail(address: string, now: number): boolean {
    let e = this.byAddress.get(address);
    if (!e) {
      if (this.byAddress.size >= MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value as string);
      e = { times: [], blockedUntil: 0 };
      this.byAddress.set(address, e);
    }
    e.times = e.times.filter((t) => t > now - this.limits.windowMs);
    e.times.push(now);
    if (e.times.length < this.limits.maxFailures) return false;
    e.blockedUntil = now + this.limits.blockMs;
    e.times = [];
    return true;
  }
}

export interface PublicNames {
  /** Host header values accepted (host[:port] as browsers send them). */
  hosts: Set<string>;
  /** Origin header values accepted. */
  origins: Set<string>;
}

/**
 * The names the server answers to: 127.0.0.1 and localhost on its port, the listen address itself when
 * it is a specific one, and each --public-url (as the browser will send it: default ports left out).
 */
export function publicNames(port: number, secure: boolean, listenHost: string, publicUrls: readonly string[]): PublicNames {
  const scheme = secure ? 'https' : 'http';
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  if (!['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(listenHost)) hosts.add(listenHost.includes(':') ? `[${listenHost}]:${port}` : `${listenHost}:${port}`);
  const origins = new Set([...hosts].map((h) => `${scheme}://${h}`));
  for (const u of publicUrls) {
    const url = new URL(u);
    hosts.add(url.host);
    origins.add(url.origin);
  }
  return { hosts, origins };
}

/** Checks one --public-url: an http(s) origin without path, query or credentials. */
export function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--public-url must be a URL like https://lamplight.example:8443, got "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--public-url ${text}: must start with https:// (or http:// for loopback)`);
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new Error(`--public-url ${text}: give only scheme, name and port (no path, query or credentials)`);
  }
  return url.origin;
}

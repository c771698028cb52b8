// What the browser host does with HTTP input it cannot trust (any local process can connect): decoding
// that never throws, timeouts that end slow or half-open clients, and a per-request safety net that logs
// an unexpected error and answers 500 instead of ending the process.
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface HttpLimits {
  /** A client must finish its request headers within this (slowloris). */
  headersTimeoutMs: number;
  /**
   * …and its whole request within this (0: no limit). Off by default: a model upload through the file
   * channel may take minutes; slow bodies are ended there by an idle timeout, and no other route reads one.
   */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two request timeouts above (its default, 30 s, lets them overrun). */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 0,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/** Called for every error the host did not expect (a bug, not bad input); the host keeps serving. */
export type HostErrorLogger = (error: unknown, where: string) => void;

/** The error with its stack, for a log line. */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

/** A logger that writes each error with its stack through `write` (stderr by default). */
export function hostErrorLogger(write: (text: string) => unknown = (t) => process.stderr.write(t)): HostErrorLogger {
  return (error, where) => write(`Lamplight host: unexpected error in ${where} (still serving):\n${errorText(error)}\n`);
}

export function serverOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    maxHeaderSize: 16 * 1024,
  };
}

/** keepAliveTimeout and the header count are properties, not constructor options, on Node 20. */
export function applyLimits(server: Server, limits: HttpLimits, log: HostErrorLogger): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = 100;
  // Without a listener an accept failure (EMFILE) would be thrown from the event loop.
  server.on('error', (e) => log(e, 'the HTTP server'));
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing URIError. */
export function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** One cookie's value from a Cookie header; null when absent or not valid percent-encoding. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    return safeDecode(part.slice(eq + 1).trim());
  }
  return null;
}

/** Runs a request handler; an exception is logged and answered 500 (or the connection dropped mid-body). */
export function guardRequest(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onError: (error: unknown, where: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      handler(req, res);
    } catch (e) {
      onError(e, `HTTP ${String(req.method).slice(0, 16)} request`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal error\n');
      else res.destroy();
    }
  };
}

/** Runs an upgrade handler with an error listener on the raw socket (the http server removes its own). */
export function guardUpgrade(
  handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  onError: (error: unknown, where: string) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    // A client that resets the connection during the handshake must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    try {
      handler(req, socket, head);
    } catch (e) {
      onError(e, 'WebSocket upgrade');
      socket.destroy();
    }
  };
}

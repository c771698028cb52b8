// What the browser host does with WebSocket input it cannot trust: every frame gets exactly one answer or
// the socket is closed, never the process. Commands in flight per socket are bounded, a client that stops
// reading is cut off once its send buffer passes a bound, and a dead peer is found by ping/pong.
import type { RawData, WebSocket } from 'ws';
import type { WireResult } from '../shared/contract';
import type { HostErrorLogger } from './httpGuard';

export interface SocketLimits {
  /** Commands one socket may have running; more are answered BUSY at once. */
  maxInFlight: number;
  /** …and at most this many bytes of them (one message of any allowed size always fits). */
  maxInFlightBytes: number;
  /** A socket whose unsent output passes this is closed (the client is not reading). */
  maxBufferedBytes: number;
  /** Ping interval; a socket that has not answered the previous ping by the next one is terminated. */
  heartbeatMs: number;
  /** Open sockets per host; more upgrades are answered 503. */
  maxSockets: number;
  /** Deepest JSON nesting accepted in a message (deeper input would overflow recursive validators). */
  maxDepth: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxInFlight: 64,
  maxInFlightBytes: 32 << 20,
  maxBufferedBytes: 8 << 20,
  heartbeatMs: 30_000,
  maxDepth: 100,
  maxSockets: 512,
};

/** Counters a test (or a status line) can read; handlerErrors is the one that means a bug. */
export interface HostStats {
  messages: number;
  badMessages: number;
  busyRefusals: number;
  /** The most commands one socket had running at once. */
  peakInFlight: number;
  slowClosed: number;
  deadTerminated: number;
  handlerErrors: number;
}

export function newHostStats(): HostStats {
  return { messages: 0, badMessages: 0, busyRefusals: 0, peakInFlight: 0, slowClosed: 0, deadTerminated: 0, handlerErrors: 0 };
}

const MAX_ID_CHARS = 128;
/** How long a socket whose access ended may wait for its running commands' replies. */
const CLOSE_GRACE_MS = 2_000;
const MAX_NAME_CHARS = 128;

type MessageId = string | number | null | undefined;
export type ClientMessage = { ok: true; id: MessageId; name: string; input: unknown; bytes: number } | { ok: false; id: MessageId; message: string };

/** True when brackets nest deeper than `max` outside strings; linear, no recursion. */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Parses one frame into {id, name, input}, or says what is wrong with it (the id is kept when usable). */
export function parseClientMessage(data: RawData, isBinary: boolean, maxDepth: number): ClientMessage {
  if (isBinary) return { ok: false, id: null, message: 'Binary frames are not accepted; send each command as a JSON text frame' };
  const buffer = toBuffer(data);
  const text = buffer.toString('utf8');
  if (nestingExceeds(text, maxDepth)) return { ok: false, id: null, message: `Message nests deeper than ${maxDepth} levels` };
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, id: null, message: 'Message is not JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { ok: false, id: undefined, message: 'Message must be a JSON object {"id", "name", "input"}' };
  }
  const { id, name, input } = msg as { id?: unknown; name?: unknown; input?: unknown };
  const idOk = id === undefined || id === null || (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID_CHARS);
  if (!idOk) return { ok: false, id: null, message: `id must be a number or a string of at most ${MAX_ID_CHARS} characters` };
  if (typeof name !== 'string' || name.length > MAX_NAME_CHARS) {
    return { ok: false, id, message: `name must be a command name (a string of at most ${MAX_NAME_CHARS} characters)` };
  }
  return { ok: true, id, name, input, bytes: buffer.length };
}

export class SocketGuard {
  private readonly alive = new WeakSet<WebSocket>();
  /** Commands running per socket, so a socket can be closed once their replies are out. */
  private readonly running = new WeakMap<WebSocket, number>();
  /** Sockets to close when their last running command has replied: code and reason. */
  private readonly closing = new WeakMap<WebSocket, { code: number; reason: string }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: SocketLimits,
    readonly stats: HostStats,
    private readonly report: HostErrorLogger,
  ) {}

  /** True when `open` sockets are as many as allowed. */
  full(open: number): boolean {
    return open >= this.limits.maxSockets;
  }

  /** Sends unless the socket is closed; a socket already past the buffer bound is terminated instead. */
  send(ws: WebSocket, frame: string): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.stats.slowClosed++;
      ws.terminate();
      return false;
    }
    ws.send(frame);
    return true;
  }

  /**
   * Closes `ws` once every command it has running has replied (at once when none is running). A command
   * that ends the socket's own access (the owner rotating the launch token) still gets its reply out.
   */
  closeAfterReplies(ws: WebSocket, code: number, reason: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if ((this.running.get(ws) ?? 0) === 0) return ws.close(code, reason);
    this.closing.set(ws, { code, reason });
    // A long command (a run) does not keep a socket whose access ended: it is closed after a grace period anyway.
    setTimeout(() => {
      if (this.closing.delete(ws) && ws.readyState === ws.OPEN) ws.close(code, reason);
    }, CLOSE_GRACE_MS).unref();
  }

  /** Answers every frame of `ws` through `run`: one reply per frame, errors as data. */
  attach(ws: WebSocket, run: (name: string, input: unknown) => Promise<WireResult<unknown>>): void {
    let inFlight = 0;
    let inFlightBytes = 0;
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    // Protocol errors (oversize, bad opcode, invalid UTF-8): ws closes the socket itself; without a
    // listener the 'error' event would be thrown and end the process.
    ws.on('error', () => undefined);
    const reply = (id: MessageId, result: WireResult<unknown>, name: string) => {
      let frame: string;
      try {
        frame = JSON.stringify({ id, ...result });
      } catch (e) {
        this.report(e, `the reply to ${JSON.stringify(name)}`);
        frame = JSON.stringify({ id, ok: false, error: { code: 'INTERNAL', message: `The reply to ${name} could not be encoded` } });
      }
      this.send(ws, frame);
      const close = this.closing.get(ws);
      if (close && inFlight === 0) {
        this.closing.delete(ws);
        if (ws.readyState === ws.OPEN) ws.close(close.code, close.reason);
      }
    };
    ws.on('message', (data, isBinary) => {
      try {
        this.stats.messages++;
        const msg = parseClientMessage(data, isBinary, this.limits.maxDepth);
        if (!msg.ok) {
          this.stats.badMessages++;
          reply(msg.id, { ok: false, error: { code: 'BAD_INPUT', message: msg.message } }, 'a malformed message');
          return;
        }
        const tooMuch = inFlight > 0 && inFlightBytes + msg.bytes > this.limits.maxInFlightBytes;
        if (inFlight >= this.limits.maxInFlight || tooMuch) {
          this.stats.busyRefusals++;
          const message = tooMuch
            ? `Too much input in flight on this connection (${this.limits.maxInFlightBytes >> 20} MiB); wait for replies`
            : `Too many commands in flight on this connection (${this.limits.maxInFlight}); wait for their replies`;
          reply(msg.id, { ok: false, error: { code: 'BUSY', message } }, msg.name);
          return;
        }
        inFlight++;
        inFlightBytes += msg.bytes;
        this.running.set(ws, inFlight);
        const done = () => {
          inFlight--;
          inFlightBytes -= msg.bytes;
          this.running.set(ws, inFlight);
        };
        this.stats.peakInFlight = Math.max(this.stats.peakInFlight, inFlight);
        new Promise<WireResult<unknown>>((resolve) => resolve(run(msg.name, msg.input)))
          .then(
            (result) => {
              done();
              reply(msg.id, result, msg.name);
            },
            (e: unknown) => {
              done();
              this.report(e, `command ${JSON.stringify(msg.name)}`); // quoted: the name comes from the client
              reply(msg.id, { ok: false, error: { code: 'INTERNAL', message: `${msg.name} failed unexpectedly; see the host log` } }, msg.name);
            },
          )
          .catch((e: unknown) => this.report(e, `the reply to ${JSON.stringify(msg.name)}`));
      } catch (e) {
        this.report(e, 'a WebSocket message');
      }
    });
  }

  /** Pings every socket each interval; one that did not answer the previous ping is terminated. */
  startHeartbeat(sockets: Iterable<WebSocket>): void {
    this.timer = setInterval(() => {
      for (const ws of sockets) {
        if (!this.alive.has(ws)) {
          this.stats.deadTerminated++;
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        try {
          ws.ping();
        } catch (e) {
          this.report(e, 'a heartbeat ping');
        }
      }
    }, this.limits.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

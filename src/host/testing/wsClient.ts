// A WebSocket client for host tests: opens a socket with an access token, collects every frame, and calls
// commands by id.
import WebSocket from 'ws';

export interface Frame {
  id?: unknown;
  ok?: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  event?: string;
  payload?: unknown;
}

export interface TestSocket {
  ws: WebSocket;
  frames: Frame[];
}

/** `ca`: connect over TLS trusting this certificate; `origin`: the Origin header to send. */
export function openTestSocket(port: number, token: string, opts: { ca?: string; origin?: string } = {}): Promise<TestSocket> {
  const scheme = opts.ca ? 'https' : 'http';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${opts.ca ? 'wss' : 'ws'}://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`, {
      handshakeTimeout: 5_000,
      headers: { Origin: opts.origin ?? `${scheme}://127.0.0.1:${port}` },
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    const frames: Frame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

export async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = find();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let nextId = 1;
/** Sends a command and resolves with its reply frame. Frames sent before the reply arrived are already in `frames`. */
export async function callOn(sock: TestSocket, name: string, input: unknown): Promise<Frame> {
  const id = `t${nextId++}`;
  sock.ws.send(JSON.stringify({ id, name, input }));
  return waitFor(`reply to ${name}`, () => sock.frames.find((f) => f.id === id));
}

/** The command's value; throws with the wire error when it failed. */
export async function valueOf<T>(sock: TestSocket, name: string, input: unknown): Promise<T> {
  const f = await callOn(sock, name, input);
  if (!f.ok) throw new Error(`${name}: ${f.error?.code} ${f.error?.message}`);
  return f.value as T;
}

export const eventsIn = (sock: TestSocket): string[] => sock.frames.filter((f) => f.event).map((f) => f.event as string);

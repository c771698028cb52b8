// A loopback HTTP server for download tests: serves files with byte ranges (as ipull asks for them), can
// throttle so a cancel lands mid-transfer, and answers other paths (an API's JSON) through `route`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  range: string | null;
  status: number;
  bytesSent: number;
  /** The whole answer was handed to the socket. */
  finished: boolean;
}

export interface FileServer {
  base: string;
  seen: SeenRequest[];
  /** Bytes per 20 ms tick for a response whose first byte is at `start`; null sends at full speed. */
  throttle: ((start: number) => number | null) | null;
  /** Answers a request itself when it returns true (before `files` are looked at). */
  route: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean) | null;
  close(): Promise<void>;
}

/** Serves `files` (by URL path) with Content-Length, Accept-Ranges and single-range 206 answers. */
export async function startFileServer(files: Record<string, Buffer>): Promise<FileServer> {
  const seen: SeenRequest[] = [];
  const srv: FileServer = { base: '', seen, throttle: null, route: null, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const body = files[path];
    const rec: SeenRequest = { path, range: req.headers.range ?? null, status: 404, bytesSent: 0, finished: false };
    res.on('finish', () => (rec.finished = true));
    seen.push(rec);
    if (srv.route?.(req, res, url)) {
      rec.status = res.statusCode;
      return;
    }
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here\n');
      return;
    }
    let start = 0;
    let end = body.length - 1;
    const m = rec.range ? /^bytes=(\d+)-(\d*)$/.exec(rec.range) : null;
    if (rec.range && !m) {
      rec.status = 416;
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      if (start > end) {
        rec.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
    }
    rec.status = m ? 206 : 200;
    res.writeHead(rec.status, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start + 1),
      'Accept-Ranges': 'bytes',
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const perTick = srv.throttle?.(start) ?? null;
    if (perTick === null) {
      rec.bytesSent = end - start + 1;
      res.end(body.subarray(start, end + 1));
      return;
    }
    let pos = start;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      const next = Math.min(pos + perTick, end + 1);
      res.write(body.subarray(pos, next));
      rec.bytesSent += next - pos;
      pos = next;
      if (pos > end) {
        clearInterval(timer);
        res.end();
      }
    }, 20);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  srv.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  srv.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return srv;
}


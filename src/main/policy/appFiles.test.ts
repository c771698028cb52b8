import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, appPathOf, CSP, mimeType, serveAppFile } from './appFiles';

// A real renderer folder on disk, with a secret next to it that no URL may reach.
let base: string;
let renderer: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'lamplight-appfiles-'));
  renderer = join(base, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Lamplight</title>');
  writeFileSync(join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(renderer, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(renderer, 'assets', 'codicon.ttf'), Buffer.from([0, 1, 0, 0]));
  writeFileSync(join(renderer, 'assets', 'blob.xyz'), 'opaque');
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  mkdirSync(join(base, 'renderer-evil'));
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'EVIL SIBLING');
  symlinkSync(join(base, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
  symlinkSync(base, join(renderer, 'up'));
});

const get = (url: string, method = 'GET') => serveAppFile({ url, method }, renderer);
const text = (body: Uint8Array | string) => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));

describe('serveAppFile: good requests', () => {
  it('serves index.html with its type, the CSP and nosniff', async () => {
    const r = await get('lamplight://app/index.html');
    expect(r.status).toBe(200);
    expect(text(r.body)).toContain('<title>Lamplight</title>');
    expect(r.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
    });
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).toContain("object-src 'none'");
  });

  it('serves assets with their MIME types', async () => {
    expect((await get('lamplight://app/assets/index-abc.js')).headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect((await get('lamplight://app/assets/index-abc.css')).headers['Content-Type']).toBe('text/css; charset=utf-8');
    expect((await get('lamplight://app/assets/codicon.ttf')).headers['Content-Type']).toBe('font/ttf');
    expect((await get('lamplight://app/assets/blob.xyz')).headers['Content-Type']).toBe('application/octet-stream');
  });

  it('answers / and client-side view paths with index.html', async () => {
    for (const url of ['lamplight://app/', 'lamplight://app', 'lamplight://app/prompts/123', 'lamplight://app/index.html?x=1#/a']) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      expect(text(r.body), url).toContain('<title>Lamplight</title>');
    }
  });

  it('HEAD gets the headers and no body', async () => {
    const r = await get('lamplight://app/assets/index-abc.js', 'HEAD');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });
});

describe('serveAppFile: hostile requests', () => {
  it('a missing asset is a 404 (not index.html served as script)', async () => {
    const r = await get('lamplight://app/assets/missing.js');
    expect(r.status).toBe(404);
    expect(text(r.body)).toMatch(/Not found: \/assets\/missing\.js/);
    expect(r.headers['Content-Security-Policy']).toBe(CSP);
  });

  it.each([
    'lamplight://app/%2E%2E%2Fsecret.txt',
    'lamplight://app/assets/..%2f..%2fsecret.txt',
    'lamplight://app/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    'lamplight://app/%2e%2e%2frenderer-evil%2fx.js',
  ])('percent-encoded traversal %s is forbidden', async (url) => {
    const r = await get(url);
    expect(r.status).toBe(403);
    expect(text(r.body)).not.toMatch(/SECRET|EVIL|root:/);
  });

  it.each(['lamplight://app/..%5csecret.txt', 'lamplight://app/assets%5c..%5c..%5csecret.txt', 'lamplight://app/index.html%00.js'])(
    'backslash or NUL in %s is a bad request',
    async (url) => {
      expect((await get(url)).status).toBe(400);
    },
  );

  it('../ and %2e%2e/ as whole segments are resolved by the URL parser and cannot climb out either', async () => {
    for (const url of ['lamplight://app/../secret.txt', 'lamplight://app/%2e%2e/secret.txt', 'lamplight://app/assets/../../secret.txt']) {
      const r = await get(url);
      expect(text(r.body), url).not.toContain('SECRET');
      expect(r.status, url).toBe(404);
    }
    // No extension: treated as a client-side view, so the app's own index.html, never the file.
    const r = await get('lamplight://app/../../../../etc/passwd');
    expect(text(r.body)).toContain('<title>Lamplight</title>');
  });

  it('a double-encoded traversal stays a literal (missing) file name', async () => {
    const r = await get('lamplight://app/%252e%252e%252fsecret.txt');
    expect(r.status).toBe(404);
    expect(text(r.body)).not.toContain('SECRET');
  });

  it('a symlink inside the folder cannot lead out of it', async () => {
    expect((await get('lamplight://app/assets/link.txt')).status).toBe(403);
    expect((await get('lamplight://app/up/secret.txt')).status).toBe(403);
  });

  it('malformed percent-encoding is a bad request', async () => {
    expect((await get('lamplight://app/%E0%A4%A')).status).toBe(400);
  });

  it.each(['lamplight://../secret.txt', 'app://../index.html', 'lamplight://evil/index.html', 'lamplight://app:99/index.html', 'lamplight://x@app/index.html', 'file:///etc/passwd', 'http://app/index.html'])(
    'another host or scheme (%s) is a 404',
    async (url) => {
      expect((await get(url)).status).toBe(404);
    },
  );

  it('only GET and HEAD', async () => {
    expect((await get('lamplight://app/index.html', 'POST')).status).toBe(405);
  });

  it('a missing renderer folder is a 500 that says to rebuild', async () => {
    const r = await serveAppFile({ url: 'lamplight://app/index.html', method: 'GET' }, join(base, 'nope'));
    expect(r.status).toBe(500);
    expect(text(r.body)).toMatch(/npm run build/);
  });
});

describe('appPathOf and the scheme', () => {
  it('maps URLs to relative paths', () => {
    expect(appPathOf('lamplight://app/assets/a%20b.js')).toEqual({ ok: true, rel: 'assets/a b.js' });
    expect(appPathOf('lamplight://app//./assets//x.js')).toEqual({ ok: true, rel: 'assets/x.js' });
  });

  it('MIME types are by extension, case-insensitive', () => {
    expect(mimeType('A.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('x.wasm')).toBe('application/wasm');
    expect(mimeType('noext')).toBe('application/octet-stream');
  });

  it('the scheme is standard and secure but does not bypass the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
  });
});

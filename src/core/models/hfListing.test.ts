// The Hugging Face listing against a loopback server that answers as the API does (paged tree, manifests,
// errors), and the hf: URI forms node-llama-cpp downloads.
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/testCore';
import { findRepoProjector, HfListingError, hfEndpoint, listHfRepo, parseHfUri } from './hfListing';
import { startFileServer, type FileServer } from './testing/fileServer';

describe('parseHfUri', () => {
  it('reads the file, branch and tag forms', () => {
    expect(parseHfUri('hf:Qwen/Qwen2-VL-2B-Instruct-GGUF/Qwen2-VL-2B-Instruct-Q4_K_M.gguf')).toEqual({
      user: 'Qwen', repo: 'Qwen2-VL-2B-Instruct-GGUF', branch: 'main', file: 'Qwen2-VL-2B-Instruct-Q4_K_M.gguf', tag: null,
    });
    expect(parseHfUri('hf://u/r/q4/model-Q4_0.gguf#dev')).toMatchObject({ branch: 'dev', file: 'q4/model-Q4_0.gguf' });
    expect(parseHfUri('hf:u/r:Q8_0')).toMatchObject({ repo: 'r', file: null, tag: 'Q8_0' });
    expect(parseHfUri('hf:u/r')).toMatchObject({ file: null, tag: 'latest' });
    for (const bad of ['hf:u', 'hf:/r/x.gguf', 'https://huggingface.co/u/r', 'hf:u/r/#main']) expect(parseHfUri(bad), bad).toBeNull();
  });
});

describe('the listing', () => {
  let server: FileServer;
  const seen: { url: string; auth: string | undefined; agent: string | undefined }[] = [];
  const keep = { HF_TOKEN: process.env.HF_TOKEN, HF_TOKEN_PATH: process.env.HF_TOKEN_PATH, HF_ENDPOINT: process.env.HF_ENDPOINT, MODEL_ENDPOINT: process.env.MODEL_ENDPOINT };
  const json = (res: Parameters<NonNullable<FileServer['route']>>[1], status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));

  beforeAll(async () => {
    server = await startFileServer({});
    server.route = (req: IncomingMessage, res, url) => {
      seen.push({ url: url.pathname + url.search, auth: req.headers.authorization, agent: req.headers['user-agent'] });
      const p = url.pathname;
      // Two pages, the second reached through the Link header as on huggingface.co.
      if (p === '/api/models/u/paged/tree/main' && !url.searchParams.has('cursor')) {
        return !!json(res, 200, [{ type: 'directory', path: 'q4' }, { type: 'file', path: 'q4/model-Q4_0.gguf' }], {
          Link: `<${server.base}/api/models/u/paged/tree/main?recursive=true&cursor=2>; rel="next"`,
        });
      }
      if (p === '/api/models/u/paged/tree/main') return !!json(res, 200, [{ type: 'file', path: 'mmproj-model-f16.gguf' }]);
      if (p === '/api/models/u/r/tree/dev') return !!json(res, 200, [{ type: 'file', path: 'model-Q8_0.gguf' }, { type: 'file', path: 'mmproj-model-Q8_0.gguf' }]);
      if (p === '/v2/u/r/manifests/Q8_0') return !!json(res, 200, { ggufFile: { rfilename: 'model-Q8_0.gguf' } });
      if (p === '/api/models/u/r/tree/main') return !!json(res, 200, [{ type: 'file', path: 'model-Q8_0.gguf' }, { type: 'file', path: 'mmproj-model-Q8_0.gguf' }]);
      if (p === '/api/models/u/gated/tree/main') return !!json(res, 401, { error: 'Access to model u/gated is restricted.' });
      if (p === '/api/models/u/html/tree/main') return !!res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
      if (p === '/api/models/u/object/tree/main') return !!json(res, 200, { files: [] });
      return false;
    };
    delete process.env.HF_TOKEN;
    delete process.env.MODEL_ENDPOINT;
    process.env.HF_TOKEN_PATH = join(tempDir('lamplight-hftoken-'), 'none');
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(keep)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server.close();
  });

  it('follows the pages and keeps files only', async () => {
    const files = await listHfRepo({ user: 'u', repo: 'paged', branch: 'main', file: null, tag: null }, { endpoint: server.base });
    expect(files).toEqual(['q4/model-Q4_0.gguf', 'mmproj-model-f16.gguf']);
    expect(seen.map((s) => s.url)).toEqual(['/api/models/u/paged/tree/main?recursive=true', '/api/models/u/paged/tree/main?recursive=true&cursor=2']);
    expect(seen[0]?.auth).toBeUndefined();
  });

  it('picks the projector on the model branch, and for a tag through the manifest', async () => {
    expect(await findRepoProjector('hf:u/r/model-Q8_0.gguf#dev', { endpoint: server.base })).toEqual({ found: true, uri: 'hf:u/r/mmproj-model-Q8_0.gguf#dev' });
    expect(await findRepoProjector('hf:u/paged/q4/model-Q4_0.gguf', { endpoint: server.base })).toEqual({ found: true, uri: 'hf:u/paged/mmproj-model-f16.gguf' });
    seen.length = 0;
    expect(await findRepoProjector('hf:u/r:Q8_0', { endpoint: server.base })).toEqual({ found: true, uri: 'hf:u/r/mmproj-model-Q8_0.gguf' });
    expect(seen.map((s) => [s.url, s.agent])).toEqual([['/v2/u/r/manifests/Q8_0', 'llama-cpp'], ['/api/models/u/r/tree/main?recursive=true', 'lamplight']]);
  });

  it('sends the token from HF_TOKEN or the token file, and says what a 401 means', async () => {
    const ref = { user: 'u', repo: 'gated', branch: 'main', file: null, tag: null };
    const tokenFile = join(tempDir('lamplight-hftoken-'), 'token');
    writeFileSync(tokenFile, 'hf_fromfile\n');
    process.env.HF_TOKEN_PATH = tokenFile;
    const e = await listHfRepo(ref, { endpoint: server.base }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HfListingError);
    expect((e as Error).message).toMatch(/tree\/main\?recursive=true answered 401 .*set HF_TOKEN.*: Access to model u\/gated is restricted\.$/);
    expect(seen.at(-1)?.auth).toBe('Bearer hf_fromfile');
    process.env.HF_TOKEN = 'hf_fromenv';
    await listHfRepo(ref, { endpoint: server.base }).catch(() => undefined);
    expect(seen.at(-1)?.auth).toBe('Bearer hf_fromenv');
    delete process.env.HF_TOKEN;
    process.env.HF_TOKEN_PATH = join(tempDir('lamplight-hftoken-'), 'none');
  });

  it('refuses answers that are not a file list, naming the URL', async () => {
    const html = await listHfRepo({ user: 'u', repo: 'html', branch: 'main', file: null, tag: null }, { endpoint: server.base }).catch((x: Error) => x.message);
    expect(html).toMatch(/\/api\/models\/u\/html\/tree\/main\?recursive=true did not answer JSON/);
    const obj = await listHfRepo({ user: 'u', repo: 'object', branch: 'main', file: null, tag: null }, { endpoint: server.base }).catch((x: Error) => x.message);
    expect(obj).toMatch(/did not answer a file list when asked to list the files of u\/object/);
    const missing = await findRepoProjector('hf:u/nothing:Q4_K_M', { endpoint: server.base }).catch((x: Error) => x.message);
    expect(missing).toMatch(/manifests\/Q4_K_M answered 404 when asked to resolve the tag "Q4_K_M" of u\/nothing: not here/);
  });

  it('takes the endpoint as node-llama-cpp does: MODEL_ENDPOINT, then HF_ENDPOINT, then huggingface.co', () => {
    delete process.env.HF_ENDPOINT;
    expect(hfEndpoint()).toBe('https://huggingface.co/');
    process.env.HF_ENDPOINT = 'http://mirror.local:8080';
    expect(hfEndpoint()).toBe('http://mirror.local:8080/');
    process.env.MODEL_ENDPOINT = 'http://models.local/';
    expect(hfEndpoint()).toBe('http://models.local/');
    expect(hfEndpoint('http://given')).toBe('http://given/');
    delete process.env.MODEL_ENDPOINT;
  });
});

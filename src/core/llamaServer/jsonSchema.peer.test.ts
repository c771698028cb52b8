// A json_schema on llama-server's /v1/chat/completions with the generated models (issues 17/18). llama-server
// builds a grammar that begins with the template's generation prompt "<|im_start|>assistant\n" and feeds it
// the tokens of that prompt; those must render back to exactly that text, or the request is refused with
// 400 "Failed to initialize samplers". The text is noise: a number field is a schema it can close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { builtServer } from './buildServer';
import { startLlamaServer, type LlamaServer } from './llamaServerProcess';

const GENERATION_PROMPT = '<|im_start|>assistant\n';

const schema = {
  type: 'object',
  properties: { n: { type: 'number' } },
  required: ['n'],
  additionalProperties: false,
};

interface Chat {
  choices: Array<{ finish_reason: string; message: { content: string } }>;
  usage: { completion_tokens: number };
}

const servers = new Map<string, LlamaServer>();

beforeAll(async () => {
  const binary = builtServer('cpu');
  if (!binary) throw new Error('llama-server is not built for this llama.cpp: run `npx lamplight engine build-server` (npm test runs it first)');
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0', 'visionText']);
  // One at a time, one thread each: the test process and the servers share 2 cores.
  for (const [name, model] of Object.entries(fx)) {
    servers.set(name, await startLlamaServer({ binary, model, threads: 1, contextSize: 512, parallel: 1, lifetimeMs: 300_000 }));
  }
}, 180_000);

afterAll(async () => {
  for (const s of servers.values()) await s.stop();
});

async function post(server: LlamaServer, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${server.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

describe.each(['tinyQ8_0', 'visionText'])('llama-server with the %s fixture', (name) => {
  const server = (): LlamaServer => servers.get(name)!;

  it('tokenizes the ChatML generation prompt to pieces that render back exactly (no space after <|im_start|>)', async () => {
    const r = await post(server(), '/tokenize', { content: GENERATION_PROMPT, add_special: false, parse_special: true, with_pieces: true });
    expect(r.status).toBe(200);
    const pieces = (r.json as { tokens: Array<{ id: number; piece: string }> }).tokens.map((t) => t.piece);
    expect(pieces[0]).toBe('<|im_start|>');
    expect(pieces.join('')).toBe(GENERATION_PROMPT);
  });

  it('answers a json_schema chat request with 200 and JSON that matches the schema', { timeout: 120_000 }, async () => {
    const r = await post(server(), '/v1/chat/completions', {
      messages: [{ role: 'user', content: 'Give a number as JSON.' }],
      max_tokens: 48,
      temperature: 0,
      seed: 5,
      response_format: { type: 'json_schema', json_schema: { name: 'n', strict: true, schema } },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const choice = (r.json as Chat).choices[0];
    // 'stop', not 'length': the grammar closed the object and then allowed only the end of the turn.
    expect(choice?.finish_reason).toBe('stop');
    const parsed = JSON.parse(choice?.message.content ?? '') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['n']);
    expect(typeof parsed.n).toBe('number');
    expect(Number.isFinite(parsed.n)).toBe(true);
  });

  it('answers the same request unconstrained with noise that is not that JSON (the schema did the work)', { timeout: 120_000 }, async () => {
    const r = await post(server(), '/v1/chat/completions', {
      messages: [{ role: 'user', content: 'Give a number as JSON.' }],
      max_tokens: 24,
      temperature: 0,
      seed: 5,
    });
    expect(r.status).toBe(200);
    const content = (r.json as Chat).choices[0]?.message.content ?? '';
    expect(() => JSON.parse(content)).toThrow();
  });
});

// An evaluation with a `fields` check sends the template's schema as the response format on every case, on
// a recording loopback server (the request bodies are what is checked); a server that refuses json_schema
// (400, as one without guided decoding answers) runs unconstrained, said once, and the invalid outputs are
// counted per column and as wrong documents in the A/B verdict.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunTarget } from '../../shared/runs.schema';
import { chunkJson, frame } from '../remote/testing/faultServer';
import { failureOf } from '../testing/testCore';
import { openEvalCore, savePrompt, type EvalTestCore } from './testing';

interface ChatBody {
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema: { properties: Record<string, unknown>; required: string[] } } };
}

interface Recorder {
  baseUrl: string;
  bodies: ChatBody[];
  server: Server;
}

const opened: EvalTestCore[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/**
 * Records every chat body. Answers JSON to a prompt that asks for "JSON only" and prose otherwise;
 * with refuseSchema, a body with response_format gets the 400 a server without json_schema support sends.
 */
async function recorder(refuseSchema: boolean, failAt: readonly number[] = []): Promise<Recorder> {
  const bodies: ChatBody[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as ChatBody;
      bodies.push(body);
      if (failAt.includes(bodies.length)) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'out of memory' } }));
        return;
      }
      if (refuseSchema && body.response_format) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "response_format type 'json_schema' is not supported" } }));
        return;
      }
      const asked = body.messages.map((m) => m.content).join(' ');
      const text = asked.includes('JSON only') ? JSON.stringify({ total: '1,280.00', invoice_number: 'INV-7' }) : 'The total is 1,280.00.';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(frame(chunkJson({ role: 'assistant', content: text })) + frame(chunkJson({ content: '', finishReason: 'stop' })) + frame('[DONE]'));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies, server };
}

const FIELDS = [
  { name: 'total', type: 'amount' as const, decimal: '.' as const },
  { name: 'invoice_number', type: 'id' as const },
];
const rows = [1, 2, 3].map((i) => ({ variables: { doc: `invoice ${i}` }, expected: JSON.stringify({ total: '1280', invoice_number: 'inv-7' }) }));

async function setup(refuseSchema: boolean, failAt: readonly number[] = []) {
  const t = openEvalCore();
  opened.push(t);
  const srv = await recorder(refuseSchema, failAt);
  const info = await t.core.invoke('targets.add', { name: 'box', baseUrls: [srv.baseUrl], maxRetries: 0 });
  const target: RunTarget = { kind: 'remote', targetId: info.id, model: 'm' };
  const template = await t.core.invoke('extraction.save', { name: 'Invoice', instructions: '', fields: FIELDS });
  // A: prose (invalid unless constrained); B asks for JSON only.
  const a = savePrompt(t.prompts, 'Extract', { messages: [{ role: 'user', content: 'Read {{doc}}' }], params: { temperature: 0 } });
  const b = t.prompts.saveVersion({
    promptId: t.prompts.version(a).promptId,
    parentId: a,
    content: { ...t.prompts.version(a).content, messages: [{ role: 'user', content: 'Read {{doc}}. Answer with JSON only.' }] },
    message: 'JSON only',
    author: 'test',
  }).id;
  const assertion = { type: 'fields' as const, templateId: template.id, fields: template.fields };
  return { t, srv, target, template, a, b, assertion };
}

describe("an evaluation constrained to its template's schema", () => {
  it('sends the schema as response_format on every case, and not when turned off', async () => {
    const { t, srv, target, template, a, assertion } = await setup(false);
    const ev = await t.call('evals.create', { name: 'on', promptVersionIds: [a], targets: [target], rows, assertions: [assertion] });
    expect(ev.outputSchema).toEqual({ name: 'Invoice', jsonSchema: template.jsonSchema });
    await t.call('evals.start', { evalId: ev.id });
    expect((await t.evals.wait(ev.id)).status).toBe('done');
    expect(srv.bodies).toHaveLength(3);
    for (const body of srv.bodies) {
      expect(body.response_format?.type).toBe('json_schema');
      expect(body.response_format?.json_schema?.schema).toEqual(JSON.parse(template.jsonSchema));
    }
    // Each run in history records the schema it was held to.
    const runs = t.core.db.prepare("SELECT json_schema AS s FROM runs WHERE source = 'eval'").all() as { s: string | null }[];
    expect(runs.map((r) => r.s)).toEqual([template.jsonSchema, template.jsonSchema, template.jsonSchema]);

    const off = await t.call('evals.create', { name: 'off', promptVersionIds: [a], targets: [target], rows, assertions: [assertion], constrainOutput: false });
    expect(off.outputSchema).toBeNull();
    await t.call('evals.start', { evalId: off.id });
    await t.evals.wait(off.id);
    expect(srv.bodies.slice(3).map((b) => b.response_format)).toEqual([undefined, undefined, undefined]);
    // Unconstrained prose is validated after: every output invalid, counted in the column's stats.
    const r = await t.call('evals.results', { evalId: off.id });
    expect(r.stats[0]).toMatchObject({ n: 3, passed: 0, invalid: 3 });
  });

  it('runs unconstrained where the server refuses the schema, says so once, and counts invalid outputs as wrong', async () => {
    const { t, srv, target, a, b, assertion } = await setup(true);
    const ev = await t.call('evals.create', {
      name: 'refused',
      promptVersionIds: [a, b],
      targets: [target],
      rows,
      assertions: [assertion],
      concurrency: { remote: 1 },
    });
    await t.call('evals.start', { evalId: ev.id });
    const done = await t.evals.wait(ev.id);
    expect(done).toMatchObject({ status: 'done', errors: 0, stored: 6 });
    expect((await t.call('evals.get', { evalId: ev.id })).columns.every((c) => c.schemaRefused?.includes('400'))).toBe(true);
    // One refused request, its case again without the schema, then the other five without it.
    expect(srv.bodies.map((x) => x.response_format?.type ?? 'none')).toEqual(['json_schema', 'none', 'none', 'none', 'none', 'none', 'none']);
    expect(done.columns.map((c) => c.schemaRefused)).toEqual([
      expect.stringMatching(/: 400 Bad Request — response_format type 'json_schema' is not supported/),
      expect.stringMatching(/: 400 Bad Request/),
    ]);
    const r = await t.call('evals.results', { evalId: ev.id });
    expect(r.stats.map((s) => [s.passed, s.invalid])).toEqual([
      [0, 3],
      [3, 0],
    ]);
    const invalidCell = r.rows[0]?.cells[0];
    expect(invalidCell?.checks[0]).toMatchObject({ type: 'fields', valid: false, reason: expect.stringMatching(/^invalid output: the output is not JSON/) });
    const cmp = await t.call('evals.compare', { evalId: ev.id, versionA: a, versionB: b, target });
    expect(cmp).toMatchObject({ n: 3, invalidA: 3, invalidB: 0, passRateA: 0, passRateB: 1, mcnemar: { onlyA: 0, onlyB: 3 } });
    expect(cmp.explanation).toContain('Invalid outputs, counted as wrong: A 3, B 0.');

    // The refusal is stored with the evaluation's columns (read back from the database above); a new
    // evaluation asks again, since the server may have been upgraded meanwhile.
    const again = await t.call('evals.create', { name: 'again', promptVersionIds: [a], targets: [target], rows: rows.slice(0, 1), assertions: [assertion] });
    await t.call('evals.start', { evalId: again.id });
    await t.evals.wait(again.id);
    expect(srv.bodies.slice(7).map((x) => x.response_format?.type ?? 'none')).toEqual(['json_schema', 'none']);
  });

  it('a later start of the same evaluation remembers the refusal: its cases go without the schema', async () => {
    // Request 3 (row 2, already unconstrained) fails: an error cell, which the next start runs again.
    const { t, srv, target, a, assertion } = await setup(true, [3]);
    const ev = await t.call('evals.create', { name: 'resume', promptVersionIds: [a], targets: [target], rows: rows.slice(0, 2), assertions: [assertion], concurrency: { remote: 1 } });
    await t.call('evals.start', { evalId: ev.id });
    expect((await t.evals.wait(ev.id)).errors).toBe(1);
    expect(await t.call('evals.start', { evalId: ev.id })).toMatchObject({ skipped: 1 });
    expect((await t.evals.wait(ev.id)).errors).toBe(0);
    expect(srv.bodies.map((x) => x.response_format?.type ?? 'none')).toEqual(['json_schema', 'none', 'none', 'none']);
  });

  it('names a template that does not exist; a fields check without one is constrained by its own fields', async () => {
    const { t, target, a } = await setup(false);
    const f = await failureOf(t.call('evals.create', { name: 'x', promptVersionIds: [a], targets: [target], rows, assertions: [{ type: 'fields', templateId: 'NOPE', fields: FIELDS }] }));
    expect([f.code, f.message]).toEqual(['BAD_INPUT', 'assertions.0.templateId: no extraction template NOPE']);
    const bare = await t.call('evals.create', { name: 'bare', promptVersionIds: [a], targets: [target], rows, assertions: [{ type: 'regex', pattern: '.' }, { type: 'fields', fields: FIELDS }] });
    expect(bare.outputSchema?.name).toBe('the fields check');
    expect(JSON.parse(bare.outputSchema?.jsonSchema ?? '{}').required).toEqual(['total', 'invoice_number']);
  });
});

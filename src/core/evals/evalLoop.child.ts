// A child process for the kill -9 test of evaluations: runs one against a loopback server of its own and
// prints "done N" for each progress event — what the app shows as done — so the test can check that every
// cell reported done is in the database after a kill.
import { writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCore } from '../createCore';

const [dataDir, rowCount] = process.argv.slice(2) as [string, string];
const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(frame({ choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: null }] }) + frame({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) + 'data: [DONE]\n\n');
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

const core = createCore({ dataDir, version: '0.0.0-test', transport: 'browser-host' });
const target = await core.invoke('targets.add', { name: 'loopback', baseUrls: [baseUrl], maxRetries: 0 });
const { version } = await core.invoke('prompts.create', {
  name: 'Kill',
  description: '',
  content: { messages: [{ role: 'user', content: 'Answer {{q}}' }], params: { temperature: 0, maxTokens: 8 } },
  message: '',
  author: 'test',
});
const ev = await core.evals.create({
  name: 'kill',
  promptVersionIds: [version.id],
  targets: [{ kind: 'remote', targetId: target.id, model: 'm' }],
  testSetId: null,
  rows: Array.from({ length: Number(rowCount) }, (_, i) => ({ variables: { q: `q${i}` }, expected: null, label: null })),
  assertions: [{ type: 'contains', value: 'ok', caseSensitive: true }],
  judge: null,
  concurrency: { local: 1, remote: 8 },
  thresholds: {},
});
writeSync(1, `eval ${ev.id}\n`);
core.on('evals.progress', (p) => writeSync(1, `done ${p.done}\n`));
core.evals.start(ev.id);
await core.evals.wait(ev.id);
writeSync(1, 'finished\n');
await core.close();
server.close();

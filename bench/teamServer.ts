// The team server for bench:team, in its own process (so the simulated labelers' CPU is not in its event
// loop): a real core on a fresh data folder, a generated dataset imported through datasets.import (the real
// import path, full-text index caught up), labeler profiles with their own access tokens, an assignment
// with overlap (claim-next by default, the shared pool), and the browser host with TLS (the self-signed certificate `serve --tls
// self-signed` makes). Prints one line `READY {json}` on stdout and serves until killed.
//   node --import tsx bench/teamServer.ts DATA_DIR ROWS LABELERS [claim_next|round_robin]
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createCore } from '../src/core/createCore';
import { startHost } from '../src/host/server';
import { selfSignedTls } from '../src/core/tls/tls';
import { Mulberry32 } from '../src/shared/prng';

const [dataDir, rowsArg, labelersArg, modeArg] = process.argv.slice(2) as [string, string, string, string | undefined];
const ROWS = Number(rowsArg);
const LABELERS = Number(labelersArg);
const say = (s: string) => process.stderr.write(`[server] ${s}\n`);

async function writeRows(path: string): Promise<void> {
  const prng = new Mulberry32(20261207);
  const words = ['invoice', 'refund', 'login', 'password', 'crash', 'slow', 'charge', 'card', 'update', 'error', 'account', 'order', 'late', 'broken', 'thanks'];
  const pick = () => words[prng.nextUint32() % words.length] as string;
  const out = createWriteStream(path);
  for (let i = 0; i < ROWS; i++) {
    const user = `Ticket ${i + 1}: ${Array.from({ length: 12 }, pick).join(' ')}`;
    const line = JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: `Reply: ${Array.from({ length: 30 }, pick).join(' ')}` }] }) + '\n';
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'rows.jsonl');
  await writeRows(file);
  const core = createCore({ dataDir: join(dataDir, 'app'), version: '0.0.0-bench', transport: 'browser-host' });
  const t0 = Date.now();
  const { dataset } = await core.invoke('datasets.import', { path: file, name: 'team bench' });
  // The full-text indexer starts just after the import returns: start it now and let it finish, so it
  // does not share the server's event loop with the measured saves.
  await core.datasets.idle();
  core.datasets.ensureIndexed(dataset.id);
  await core.datasets.idle();
  say(`imported ${dataset.rowCount} rows with datasets.import in ${((Date.now() - t0) / 1000).toFixed(1)} s (full-text index included)`);
  await core.invoke('datasets.setLabelSchema', {
    datasetId: dataset.id,
    schema: { fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech', 'other'] }, { name: 'flags', kind: 'multi', options: ['rude', 'pii', 'off'] }] },
  });
  const labelers: { id: string; token: string }[] = [];
  for (let i = 0; i < LABELERS; i++) {
    const p = await core.invoke('profiles.create', { name: `Labeler ${i + 1}`, role: 'labeler' });
    labelers.push({ id: p.id, token: (await core.invoke('profiles.issueToken', { profileId: p.id })).token });
  }
  const t1 = Date.now();
  const assignment = await core.invoke('team.start', { datasetId: dataset.id, mode: modeArg === 'round_robin' ? 'round_robin' : 'claim_next', overlap: 0.1, overlapK: 2, labelerIds: labelers.map((l) => l.id) });
  say(`assignment: ${assignment.tasks} tasks over ${assignment.rows} rows in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const tls = selfSignedTls(dataDir, ['127.0.0.1']);
  const staticDir = join(dataDir, 'static'); // the bench speaks only the WebSocket; no UI is served
  mkdirSync(staticDir, { recursive: true });
  const host = await startHost({ core, staticDir, listen: '127.0.0.1', port: 0, tls });
  const synchronous = core.db.pragma('synchronous', { simple: true });
  const journalMode = core.db.pragma('journal_mode', { simple: true });
  const ready = { port: host.port, cert: tls.cert, fingerprint: host.fingerprint, assignmentId: assignment.id, datasetId: dataset.id, rows: dataset.rowCount, db: core.db.name, synchronous, journalMode, labelers };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
}

main().catch((e: unknown) => {
  say(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});

// bench:dataset — importing a large OpenAI-messages JSONL: Lamplight's datasets.import (stream, parse,
// validate, personal-data flags, batched inserts) against a raw better-sqlite3 prepared INSERT of the same
// bound values (already parsed, in memory) in one transaction into the same schema. Also: peak RSS during the
// import, the time the background full-text (trigram) index takes to catch up, event-loop delay meanwhile,
// and search latency (datasets.rows with a search, first page + capped count) over the indexed rows.
//   npm run bench:dataset -- [--json] [--rows N] [--searches N]
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { openDb } from '../src/core/db/openDb';
import { openTestCore } from '../src/core/testing/testCore';
import { Mulberry32 } from '../src/shared/prng';
import { pct, progressLog, round } from './benchUtil';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rows: { type: 'string', default: '1000000' },
    searches: { type: 'string', default: '200' },
  },
});
const ROWS = Number(values.rows);
const SEARCHES = Number(values.searches);
/** What the grid asks for when searching (datasets.store SEARCH_COUNT_CAP): "1,000+ rows". */
const COUNT_CAP = 1_000;
const TARGETS = { ratio: 0.5, peakRssMb: 400, searchP95Ms: 50 };
const log = progressLog(values.json);

// A vocabulary of English-like words and Chinese words, so rows read like mixed support logs.
const prng = new Mulberry32(20261123);
const rnd = () => prng.nextUint32() / 2 ** 32;
const letters = 'etaoinshrdlucmfwypvbgkjqxz';
const word = () => {
  const n = 2 + Math.floor(rnd() * 8);
  let w = '';
  for (let i = 0; i < n; i++) w += letters[Math.floor(Math.pow(rnd(), 1.6) * letters.length)];
  return w;
};
const EN = Array.from({ length: 20_000 }, word);
const HAN = '的一是不了在人有我他这个们中来上大为和国地到以说时要就出也得里后自会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感';
const ZH = Array.from({ length: 5_000 }, () => {
  const n = 2 + Math.floor(rnd() * 3);
  let w = '';
  for (let i = 0; i < n; i++) w += HAN[Math.floor(rnd() * HAN.length)];
  return w;
});
const sentence = (zh: boolean, n: number) => {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(zh ? (ZH[Math.floor(rnd() * ZH.length)] as string) : (EN[Math.floor(Math.pow(rnd(), 2) * EN.length)] as string));
  return parts.join(zh ? '' : ' ');
};

async function writeFile(path: string): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const zh = rnd() < 0.15;
    const messages = [];
    if (rnd() < 0.2) messages.push({ role: 'system', content: 'You are a helpful support assistant.' });
    messages.push({ role: 'user', content: sentence(zh, zh ? 8 + Math.floor(rnd() * 10) : 8 + Math.floor(rnd() * 14)) });
    messages.push({ role: 'assistant', content: sentence(zh, zh ? 20 + Math.floor(rnd() * 30) : 25 + Math.floor(rnd() * 40)) });
    chunk += JSON.stringify({ messages }) + '\n';
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lamplight-bench-dataset-'));
  try {
    const file = join(dir, 'messages.jsonl');
    log(`writing ${ROWS} rows…`);
    const fileBytes = await writeFile(file);
    log(`file: ${(fileBytes / 1e6).toFixed(1)} MB`);

    // 1. Lamplight's import, in a fresh data folder.
    global.gc?.();
    const core = openTestCore({ dataDir: join(dir, 'app') });
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const imported = await core.invoke('datasets.import', { path: file, name: 'bench' });
    const importMs = performance.now() - t0;
    clearInterval(rssTimer);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const importLoopMaxMs = loop.max / 1e6;
    loop.reset();
    log(`app import: ${imported.imported} rows in ${(importMs / 1000).toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
    const t1 = performance.now();
    await core.datasets.idle();
    const indexMs = performance.now() - t1;
    const indexLoopP99Ms = loop.percentile(99) / 1e6;
    const indexLoopMaxMs = loop.max / 1e6;
    loop.disable();
    log(`full-text index: ${(indexMs / 1000).toFixed(1)} s (event-loop delay p99 ${indexLoopP99Ms.toFixed(0)} ms)`);

    // 2. Searches: substrings picked from the vocabulary (3–6 characters; CJK words too).
    const datasetId = imported.dataset.id;
    const lat: number[] = [];
    const hits: number[] = [];
    for (let i = 0; i < SEARCHES; i++) {
      const zh = i % 4 === 0;
      let q = zh ? (ZH[Math.floor(rnd() * ZH.length)] as string) + (ZH[Math.floor(rnd() * ZH.length)] as string).slice(0, 1) : (EN[Math.floor(rnd() * 2000)] as string);
      if (q.length < 3) q = q + ' ' + (EN[Math.floor(rnd() * 200)] as string);
      const t = performance.now();
      const page = await core.invoke('datasets.rows', { datasetId, filter: { search: q }, limit: 50, countCap: COUNT_CAP });
      lat.push(performance.now() - t);
      hits.push(page.total);
    }
    const statusT = performance.now();
    await core.invoke('datasets.rows', { datasetId, filter: { status: 'new' }, offset: Math.floor(ROWS / 2), limit: 100, countCap: COUNT_CAP });
    const deepFilteredPageMs = performance.now() - statusT;
    await core.close();

    // 3. The raw baseline: the same bound values, parsed beforehand, one prepared INSERT in one transaction.
    log('raw baseline: parsing into memory…');
    const bound: [number, number, string, string, string | null][] = [];
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let line = 0;
    for await (const text of rl) {
      line++;
      const m = (JSON.parse(text) as { messages: { role: string; content: string }[] }).messages;
      const last = m[m.length - 1] as { content: string };
      const context = m.slice(0, -1);
      bound.push([bound.length, line, JSON.stringify(context), (context[context.length - 1] as { content: string }).content, last.content]);
    }
    const db = openDb(join(dir, 'raw.db'));
    db.prepare("INSERT INTO datasets (id, name, state, created_at, updated_at) VALUES ('RAW', 'raw', 'importing', 0, 0)").run();
    const insert = db.prepare('INSERT INTO dataset_rows (dataset_id, ord, line, messages_json, prompt, response, chosen, rejected, pii) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, 0)');
    const t2 = performance.now();
    db.transaction(() => {
      for (const b of bound) insert.run('RAW', b[0], b[1], b[2], b[3], b[4]);
    })();
    const rawMs = performance.now() - t2;
    db.close();
    log(`raw insert: ${(rawMs / 1000).toFixed(1)} s`);

    const result = {
      bench: 'dataset',
      rows: ROWS,
      fileMb: round(fileBytes / 1e6, 1),
      app: { importMs: Math.round(importMs), rowsPerSec: Math.round(imported.imported / (importMs / 1000)), peakRssMb: Math.round(peakRss / 2 ** 20), eventLoopMaxMs: round(importLoopMaxMs, 1) },
      raw: { insertMs: Math.round(rawMs), rowsPerSec: Math.round(ROWS / (rawMs / 1000)) },
      ratio: round(rawMs / importMs, 3),
      index: { ms: Math.round(indexMs), rowsPerSec: Math.round(ROWS / (indexMs / 1000)), eventLoopP99Ms: round(indexLoopP99Ms, 1), eventLoopMaxMs: round(indexLoopMaxMs, 1) },
      search: { queries: SEARCHES, countCap: COUNT_CAP, p50Ms: round(pct(lat, 50)), p95Ms: round(pct(lat, 95)), maxMs: round(Math.max(...lat)), medianHits: pct(hits, 50) },
      deepFilteredPageMs: round(deepFilteredPageMs),
      targets: TARGETS,
      pass: { ratio: rawMs / importMs >= TARGETS.ratio, peakRss: peakRss / 2 ** 20 < TARGETS.peakRssMb, searchP95: pct(lat, 95) < TARGETS.searchP95Ms },
      baseline: 'prepared INSERT of the same bound values (parsed beforehand) into the same schema, one transaction',
    };
    process.stdout.write(JSON.stringify(result, null, values.json ? 0 : 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

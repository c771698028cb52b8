// bench:local — decode speed through the full app path (contract → worker process → streamed events →
// stored run) against raw LlamaCompletion on the same model, in the same run, rounds interleaved.
//   npm run bench:local -- [--json] [--rounds N] [--tokens N] [--model FILE]
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getLlama, LlamaCompletion, LlamaLogLevel } from 'node-llama-cpp';
import { ensureBenchModel } from '../src/core/fixtures/benchModel';
import { openTestCore } from '../src/core/testing/testCore';
import { progressLog } from './benchUtil';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '256' },
    'ttft-rounds': { type: 'string', default: '20' },
    model: { type: 'string' },
  },
});
const rounds = Math.max(5, Number(values.rounds));
const ttftRounds = Math.max(5, Number(values['ttft-rounds']));
const decodeTokens = Number(values.tokens);
const threads = availableParallelism();
const log = progressLog(values.json);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const modelPath = values.model ?? (await ensureBenchModel());
log(`model ${modelPath}, ${threads} threads, ${rounds} decode rounds × ${decodeTokens} tokens, ${ttftRounds} TTFT rounds`);

// The app path: a real core with its worker process.
const core = openTestCore();
const model = await core.invoke('models.add', { path: modelPath });
await core.invoke('engine.load', { modelId: model.id, settings: { gpu: 'cpu', threads, contextSize: 2048 } });

// The raw path: node-llama-cpp in this process, same model, same threads.
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: threads, logLevel: LlamaLogLevel.error });
const rawModel = await llama.loadModel({ modelPath, gpuLayers: 0 });
const rawContext = await rawModel.createContext({ contextSize: 2048, threads, sequences: 1 });
const rawSequence = rawContext.getSequence();
const completion = new LlamaCompletion({ contextSequence: rawSequence });

interface Sample {
  tokPerSec: number;
  ttftMs: number;
  tokens: number;
}

function prompt(round: number): string {
  return `Round ${round}: describe the tides of the northern sea in detail.`;
}

async function rawRound(round: number, maxTokens = decodeTokens): Promise<Sample> {
  // The exact text the app sends (chat template included), so both prefill the same tokens.
  const rendered = await core.invoke('prompt.render', { modelId: model.id, systemPrompt: '', userMessage: prompt(round), variables: {} });
  const tokens = rawModel.tokenize(rendered.text, true);
  // No clearHistory: like the app's chat session, LlamaCompletion reuses the KV cache of a shared prefix.
  let first = 0;
  let last = 0;
  let n = 0;
  const t0 = performance.now();
  await completion.generateCompletion(tokens, {
    maxTokens,
    temperature: 0, // greedy on both sides, no repeat penalty on either
    onToken: (t) => {
      const now = performance.now();
      if (n === 0) first = now;
      last = now;
      n += t.length;
    },
  });
  return { tokPerSec: ((n - 1) * 1000) / (last - first), ttftMs: first - t0, tokens: n };
}

async function appRound(round: number, maxTokens = decodeTokens): Promise<Sample & { storedTokPerSec: number; storedTtftMs: number }> {
  let first = 0;
  let firstTokens = 0;
  let runId = '';
  const seen: { t: number; tokens: number }[] = [];
  const off = core.on('runs.chunk', (c) => {
    if (c.runId !== runId && runId !== '') return;
    seen.push({ t: performance.now(), tokens: c.tokens });
  });
  const finished = new Promise<number>((resolve) => {
    const offDone = core.on('runs.finished', (r) => {
      if (r.id === runId) {
        offDone();
        resolve(performance.now());
      }
    });
  });
  const t0 = performance.now();
  runId = (await core.invoke('runs.start', { modelId: model.id, userMessage: prompt(round), params: { temperature: 0, maxTokens, repeatPenalty: 1 } })).runId;
  const end = await finished;
  off();
  const record = await core.invoke('runs.get', { runId });
  first = seen[0]?.t ?? end;
  firstTokens = seen[0]?.tokens ?? 0;
  const total = record.completionTokens ?? 0;
  return {
    tokPerSec: ((total - firstTokens) * 1000) / (end - first),
    ttftMs: first - t0,
    tokens: total,
    storedTokPerSec: record.decodeTokPerSec ?? 0,
    storedTtftMs: record.ttftMs ?? 0,
  };
}

// Warm-up: first evaluation pays for page faults and allocations on both sides.
await rawRound(-1);
await appRound(-1);

const raw: Sample[] = [];
const app: Awaited<ReturnType<typeof appRound>>[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate who goes first so drift (thermal, page cache) does not favour one side.
  if (i % 2 === 0) {
    raw.push(await rawRound(i));
    app.push(await appRound(i));
  } else {
    app.push(await appRound(i));
    raw.push(await rawRound(i));
  }
  log(`round ${i}: raw ${raw[i]?.tokPerSec.toFixed(1)} tok/s (ttft ${raw[i]?.ttftMs.toFixed(1)} ms) · app ${app[i]?.tokPerSec.toFixed(1)} tok/s (ttft ${app[i]?.ttftMs.toFixed(1)} ms)`);
}

// TTFT: many short rounds (one token each), paired and interleaved, because prefill time on a shared
// 2-core machine varies by tens of ms between runs and the overhead we look for is a few ms.
const ttftPairs: { app: number; raw: number }[] = [];
for (let i = 0; i < ttftRounds; i++) {
  const r = 1000 + i;
  let a: number;
  let w: number;
  if (i % 2 === 0) {
    w = (await rawRound(r, 1)).ttftMs;
    a = (await appRound(r, 1)).ttftMs;
  } else {
    a = (await appRound(r, 1)).ttftMs;
    w = (await rawRound(r, 1)).ttftMs;
  }
  ttftPairs.push({ app: a, raw: w });
}
log(`TTFT pairs (app − raw, ms): ${ttftPairs.map((p) => (p.app - p.raw).toFixed(1)).join(' ')}`);

const appTokPerSec = median(app.map((s) => s.tokPerSec));
const rawTokPerSec = median(raw.map((s) => s.tokPerSec));
const ttftOverheadMs = median(ttftPairs.map((p) => p.app - p.raw));
const complete = [...app, ...raw].every((s) => s.tokens === decodeTokens);
const result = {
  benchmark: 'local-decode',
  model: { path: modelPath, fileName: model.fileName, parameterCount: model.metadata.parameterCount, fileType: model.metadata.fileType },
  threads,
  rounds,
  maxTokens: decodeTokens,
  ttftRounds,
  appTokPerSec: Number(appTokPerSec.toFixed(2)),
  rawTokPerSec: Number(rawTokPerSec.toFixed(2)),
  ratio: Number((appTokPerSec / rawTokPerSec).toFixed(4)),
  appTtftMs: Number(median(ttftPairs.map((p) => p.app)).toFixed(2)),
  rawTtftMs: Number(median(ttftPairs.map((p) => p.raw)).toFixed(2)),
  ttftOverheadMs: Number(ttftOverheadMs.toFixed(2)),
  storedAppTokPerSec: Number(median(app.map((s) => s.storedTokPerSec)).toFixed(2)),
  allRunsReachedMaxTokens: complete,
  targets: { ratio: 0.97, ttftOverheadMs: 5 },
  pass: appTokPerSec / rawTokPerSec >= 0.97 && ttftOverheadMs <= 5 && complete,
  samples: {
    decode: { app: app.map((s) => s.tokPerSec), raw: raw.map((s) => s.tokPerSec) },
    ttftMs: ttftPairs,
  },
};

await rawContext.dispose();
await rawModel.dispose();
await core.close();

if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  log(`\napp ${result.appTokPerSec} tok/s vs raw ${result.rawTokPerSec} tok/s → ratio ${result.ratio} (target ≥ 0.97)`);
  log(`TTFT overhead ${result.ttftOverheadMs} ms (target ≤ 5) · ${result.pass ? 'PASS' : 'MISS'}`);
}

// Data-quality throughput on synthetic ~300-character rows (English and Chinese prose with numbers, PII in
// a few percent): piiMask over 1M rows, minhash over 100k rows, NearDupIndex memory for 1M rows.
// Prints one JSON object. Run: node --expose-gc --import tsx bench/dataQuality.bench.ts
import { piiMask } from '../src/shared/pii';
import { minhash, NearDupIndex } from '../src/core/datasets/quality/minhash';
import { mulberry32 } from '../src/shared/prng';

const rng = mulberry32;

function corpus(n: number, seed = 1): string[] {
  const rnd = rng(seed);
  const en = 'the quick brown fox jumps over lazy dog model training data quality answer question please explain how why what when where assistant user system response prompt token'.split(' ');
  const zh = [...'我们今天讨论一下模型训练数据的质量问题请解释为什么这个答案是正确的用户助手系统回复提示词语言中文'];
  const pii = ['13812345678', 'a.b@example.com', '4111 1111 1111 1111', '+44 20 7946 0958', '11010519491231002X'];
  const num = (): string => {
    const k = rnd();
    if (k < 0.3) return String(1990 + Math.floor(rnd() * 40));
    if (k < 0.6) return (rnd() * 1000).toFixed(2);
    if (k < 0.8) return String(Math.floor(rnd() * 100000));
    return `v${Math.floor(rnd() * 10)}.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 9)}`;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    let len = 0;
    const cjk = rnd() < 0.4;
    while (len < 300) {
      const r = rnd();
      const w = r < 0.05 ? num() + ' ' : r < 0.051 ? pii[Math.floor(rnd() * pii.length)] + ' ' : cjk ? zh[Math.floor(rnd() * zh.length)]! : en[Math.floor(rnd() * en.length)] + ' ';
      parts.push(w);
      len += w.length;
    }
    out.push(parts.join('').slice(0, 300));
  }
  return out;
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): number => {
  gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};

const rows = corpus(1_000_000);
gc?.();
piiMask(rows[0]!);
let t0 = performance.now();
let flagged = 0;
for (const r of rows) if (piiMask(r) !== 0) flagged++;
const piiMs = performance.now() - t0;

const sample = rows.slice(0, 100_000);
for (let i = 0; i < 1000; i++) minhash(sample[i]!);
t0 = performance.now();
const sigs: Uint32Array[] = [];
for (const r of sample) sigs.push(minhash(r));
const minhashMs = performance.now() - t0;

t0 = performance.now();
const small = new NearDupIndex();
let dups = 0;
for (let i = 0; i < sigs.length; i++) if (small.add(i, sigs[i]!) !== null) dups++;
const index100kMs = performance.now() - t0;

// Memory for 1M rows: random signatures (unique rows, the worst case for bucket count).
sigs.length = 0;
const before = heapMb();
const big = new NearDupIndex();
const rnd = rng(2);
const sig = new Uint32Array(64);
t0 = performance.now();
for (let i = 0; i < 1_000_000; i++) {
  for (let j = 0; j < 64; j++) sig[j] = (rnd() * 2 ** 32) >>> 0;
  big.add(i, sig);
}
const index1MMs = performance.now() - t0;
const indexMb = heapMb() - before;

console.log(
  JSON.stringify({
    piiMask_1M_rows_ms: Math.round(piiMs),
    piiMask_flagged: flagged,
    minhash_100k_rows_ms: Math.round(minhashMs),
    nearDupIndex_add_100k_ms: Math.round(index100kMs),
    nearDup_found_100k: dups,
    nearDupIndex_add_1M_random_ms: Math.round(index1MMs),
    nearDupIndex_1M_rows_mb: Math.round(indexMb),
    size: big.size,
  }),
);

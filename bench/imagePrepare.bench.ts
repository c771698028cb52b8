// bench:imageprepare — what preparing an already-prepared image costs on every run (the user waits for it
// before the request leaves): a 1000×1000 PNG sent as stored, a 1400×1000 JPEG downscaled to the default
// budget, each prepared once, then N more times (median, p90 in ms).
//   npx tsx bench/imagePrepare.bench.ts [--json] [--n 200]
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../src/shared/images.schema';
import { photoLike } from '../src/core/images/testing/sampleImages';
import { openTestCore } from '../src/core/testing/testCore';
import { pct, progressLog, round } from './benchUtil';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, n: { type: 'string', default: '200' } } });
const N = Number(values.n);
const log = progressLog(values.json);

const core = openTestCore();
try {
  const cases = [
    ['1000×1000 PNG, sent as stored', await core.images.addData('1mp.png', await (await photoLike(1000, 1000)).png().toBuffer())],
    ['1400×1000 JPEG, downscaled (cached)', await core.images.addData('big.jpg', await (await photoLike(1400, 1000)).jpeg().toBuffer())],
  ] as const;
  const out: Record<string, { firstMs: number; medianMs: number; p90Ms: number; n: number }> = {};
  for (const [label, img] of cases) {
    const t0 = performance.now();
    await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
    const firstMs = performance.now() - t0;
    const ms: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await core.images.prepare(img.hash, DEFAULT_MAX_IMAGE_PIXELS);
      ms.push(performance.now() - t);
    }
    out[label] = { firstMs: round(firstMs), medianMs: round(pct(ms, 50), 3), p90Ms: round(pct(ms, 90), 3), n: N };
    log(`${label}: first ${round(firstMs)} ms, then median ${round(pct(ms, 50), 3)} ms, p90 ${round(pct(ms, 90), 3)} ms (n=${N})`);
  }
  if (values.json) process.stdout.write(JSON.stringify({ bench: 'imagePrepare', node: process.version, results: out }, null, 2) + '\n');
} finally {
  await core.close();
  rmSync(core.dataDir, { recursive: true, force: true });
}

// The image workload: images generated deterministically with sharp (or a test set's image column), k per
// request, and the cell's image metrics (count, size, preparation and encode time from the run records).
import { describe, expect, it, vi } from 'vitest';
import { BenchDefinition, BenchImageSource } from '../../shared/bench.schema';
import { RunRequest, type RunRecord } from '../../shared/runs.schema';
import { closeAfterEach } from '../testing/closeAfterEach';
import { openTestCore } from '../testing/testCore';
import { testSetRowsSource } from '../evals/evals.service';
import { generateImage, imageWorkload, type ImagesWorkload } from './benchImages';
import { dist, imageMetrics, type RequestSample } from './benchMetrics';
import { benchCsv } from './benchReport';
import { startScheduledServer } from './testing/scheduledServer';

const opened = closeAfterEach();

const sample = (over: Partial<RequestSample>): RequestSample => ({
  ok: true,
  error: null,
  sentMs: 0,
  chunkTimesMs: [10],
  e2eMs: 20,
  promptTokens: 10,
  outputTokens: 1,
  decodeTokPerSec: null,
  ...over,
});

describe('image workload', () => {
  it('generates the same image for the same seed and index, a different one otherwise', async () => {
    const g = BenchImageSource.parse({ kind: 'generated', width: 48, height: 32 }) as Extract<BenchImageSource, { kind: 'generated' }>;
    const a = await generateImage(g, 0);
    expect((await generateImage(g, 0)).equals(a)).toBe(true);
    expect((await generateImage(g, 1)).equals(a)).toBe(false);
    const noise = await generateImage({ ...g, pattern: 'noise' }, 0);
    expect((await generateImage({ ...g, pattern: 'noise' }, 0)).equals(noise)).toBe(true);
    // Noise is the encoder's worst case: it compresses far less than a gradient of the same size.
    expect(noise.length).toBeGreaterThan(a.length * 2);
    expect(noise.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('image metrics count the images of completed requests and take times only from runs that reported them', () => {
    const info = { perRequest: 2, width: 64, height: 48, meanBytes: 1000 };
    const m = imageMetrics(
      [
        sample({ images: 2, imagePrepareMs: 4, imageEncodeMs: 30 }),
        sample({ images: 2, imagePrepareMs: 6, imageEncodeMs: null }),
        sample({ images: 2, ok: false, error: 'x', imagePrepareMs: 100 }),
      ],
      info,
    );
    expect(m).toEqual({ ...info, total: 4, prepareMs: dist([4, 6]), encodeMs: dist([30]) });
    expect(imageMetrics([sample({ images: 1 })], info)).toMatchObject({ total: 1, prepareMs: null, encodeMs: null });
  });

  it('sends k stored images per request, cycling through N, and reports count, size and image times', async () => {
    const core = opened.core(openTestCore());
    const server = opened.server(await startScheduledServer({ firstMs: 5, everyMs: 2, tokens: 3, maxRequests: 10 }));
    const t = await core.invoke('targets.add', { name: 'vl', baseUrls: [server.baseUrl], maxRetries: 0, acceptsImages: 'yes' });
    const starts = vi.spyOn(core.runs, 'start');
    const waits = vi.spyOn(core.runs, 'wait');
    const def = BenchDefinition.parse({
      name: 'images',
      targets: [{ target: { kind: 'remote', targetId: t.id, model: 'm' } }],
      workload: { kind: 'images', images: { kind: 'generated', count: 3, width: 64, height: 48 }, perRequest: 2, outputLen: 3 },
      loads: [{ kind: 'concurrency', concurrency: 1 }],
      warmupRequests: 0,
      requests: 4,
    });
    const { benchId } = await core.invoke('bench.start', def);
    const run = await core.bench.wait(benchId);
    expect(run.state).toBe('done');

    const reqs = starts.mock.calls.map(([r]) => RunRequest.parse(r));
    expect(reqs).toHaveLength(4);
    const hashes = reqs.map((r) => (r.images ?? []).map((i) => i.hash));
    const distinct = [...new Set(hashes.flat())];
    expect(distinct).toHaveLength(3);
    // Request i carries images 2i and 2i+1 (mod 3) of the source, in order.
    expect(hashes).toEqual([0, 1, 2, 3].map((i) => [distinct[(2 * i) % 3], distinct[(2 * i + 1) % 3]]));
    for (const h of distinct) expect(core.images.get(h as string)).toMatchObject({ width: 64, height: 48, mime: 'image/jpeg' });
    expect(reqs[0]?.userMessage).toBe('Describe the image in one sentence.');

    const cell = run.results[0];
    expect(cell?.completed).toBe(4);
    expect(cell?.images).toMatchObject({ perRequest: 2, total: 8, width: 64, height: 48 });
    expect(cell?.images?.meanBytes).toBeGreaterThan(0);
    // Times come from the run records (the vision run path fills them; a run path without it leaves them null).
    const records = (await Promise.all(waits.mock.results.map((r) => r.value as Promise<RunRecord>))).filter((r) => r.source === 'bench');
    const prep = records.map((r) => r.imagePrepareMs).filter((v): v is number => typeof v === 'number');
    expect(cell?.images?.prepareMs).toEqual(prep.length ? dist(prep) : null);
    // The CSV export carries the image columns beside the vLLM-style ones.
    const [head, row] = benchCsv(run).trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => row?.[head?.indexOf(name) ?? -1];
    expect([col('images_per_request'), col('images_total'), col('image_width'), col('image_height')]).toEqual(['2', '8', '64', '48']);
    expect(head).toContain('ttft_median_ms');
  });

  it('takes its images from a test set column, and refuses a column without images', async () => {
    const core = opened.core(openTestCore());
    const set = await core.invoke('testsets.create', { name: 'Pics', variables: ['pic', 'q'], imageVariables: ['pic'] });
    const g = BenchImageSource.parse({ kind: 'generated', width: 40, height: 40 }) as Extract<BenchImageSource, { kind: 'generated' }>;
    const img = await core.invoke('images.addData', { name: 'p.jpg', dataBase64: (await generateImage(g, 5)).toString('base64') });
    await core.invoke('testsets.addRow', { testSetId: set.id, variables: { pic: img.hash, q: 'x' } });
    const base = { name: 'ts', targets: [{ target: { kind: 'remote' as const, targetId: '01J00000000000000000000000', model: 'm' } }], loads: [{ kind: 'concurrency' as const, concurrency: 1 }] };
    await expect(core.invoke('bench.start', BenchDefinition.parse({ ...base, workload: { kind: 'images', images: { kind: 'testset', testSetId: set.id, column: 'q' } } }))).rejects.toThrow(
      'workload.images.column: no row of the test set has an image in "q"',
    );
    const w = BenchDefinition.parse({ ...base, workload: { kind: 'images', images: { kind: 'testset', testSetId: set.id, column: 'pic' }, perRequest: 3 } }).workload as ImagesWorkload;
    const rows = testSetRowsSource({ rows: (testSetId, offset, limit) => core.invoke('testsets.rows', { testSetId, offset, limit }) });
    const r = await imageWorkload(w, 10, core.images, (id) => rows.rows(id));
    expect(r.prompts[0]?.images?.map((i) => i.hash)).toEqual([img.hash, img.hash, img.hash]);
    expect(r.info).toEqual({ perRequest: 3, width: 40, height: 40, meanBytes: img.bytes });
  });
});

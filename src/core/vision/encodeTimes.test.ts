// The encode-time reader on lines copied from this llama-server build at -lv 4 (one 112×84 image request on
// the Qwen2-VL fixture), and the attribution rules: one image request in flight gets its time, two get null.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitLines } from '../llamaServer/llamaServerProcess';
import { EncodeLogParser, EncodeTimes, logStampMs } from './encodeTimes';

const REQUEST = `0.01.166.175 I slot launch_slot_: id  3 | task 0 | processing task, is_child = 0
0.01.166.232 I slot   operator(): id  3 | task 0 | new prompt, n_ctx_slot = 2048, n_keep = 0, task.n_tokens = 42
0.01.167.230 I slot process_mtmd: id  3 | task 0 | encoding mtmd batch from idx = 16, n_chunks = 1
0.01.169.980 I decoding image batch 1/1, n_tokens_batch = 12
0.01.170.497 I image decoded (batch 1/1) in 1 ms
0.01.173.318 I slot print_timing: id  3 | task 0 | prompt eval time =       4.96 ms /    42 tokens
0.01.173.362 I slot      release: id  3 | task 0 | stop processing: n_tokens = 57, truncated = 0`.split('\n');

describe('encode times from the llama-server log', () => {
  it('reads the prefix as minutes.seconds.millis.micros', () => {
    expect(logStampMs('1.02.003.500 I x')).toBe(62_003.5);
    expect(logStampMs('no stamp here')).toBeNull();
  });

  it('times encode start to the first image batch decode, with slot and task', () => {
    const seen: unknown[] = [];
    const released: unknown[] = [];
    const p = new EncodeLogParser((e) => seen.push(e), (slot, task) => released.push([slot, task]));
    for (const l of REQUEST) p.line(l);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ slot: 3, task: 0 });
    expect((seen[0] as { ms: number }).ms).toBeCloseTo(2.75, 5);
    expect(released).toEqual([[3, 0]]);
  });

  it("takes mtmd helper's own 'slice encoded in K ms' line as K", () => {
    const seen: Array<{ ms: number }> = [];
    new EncodeLogParser((e) => seen.push(e)).line('0.00.100.000 I image slice encoded in 37 ms');
    expect(seen).toEqual([{ slot: null, task: null, ms: 37 }]);
  });

  it('gives the only image request in flight its encode time, once its slot is released', async () => {
    const t = new EncodeTimes();
    const w = t.watch();
    for (const l of REQUEST) t.line(l);
    expect(await w.done(5_000)).toBeCloseTo(2.75, 5);
  });

  it('gives null to requests that were in flight together, and to one that encoded nothing', async () => {
    const t = new EncodeTimes();
    const a = t.watch();
    const b = t.watch();
    for (const l of REQUEST) t.line(l);
    expect(await a.done(10)).toBeNull();
    expect(await b.done(10)).toBeNull();
    const c = t.watch(); // alone again: the next request is attributed
    t.line('0.02.000.000 I slot      release: id  0 | task 5 | stop processing: n_tokens = 9, truncated = 0');
    expect(await c.done(5_000)).toBeNull();
  });

  it('splits output into whole lines wherever the chunks break', async () => {
    const s = new PassThrough();
    const lines: string[] = [];
    splitLines(s, (l) => lines.push(l));
    const text = REQUEST.join('\n') + '\n€ partial';
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += 7) s.write(bytes.subarray(i, i + 7)); // splits lines and the € itself
    s.end();
    await new Promise((resolve) => s.once('end', resolve));
    expect(lines).toEqual([...REQUEST, '€ partial']);
  });
});

import { describe, expect, it } from 'vitest';
import { SequencePool } from './sequencePool';

describe('SequencePool', () => {
  it('hands out free items, queues in arrival order when none is free, and skips cancelled waiters', async () => {
    const pool = new SequencePool(['a', 'b']);
    const live = new AbortController().signal;
    const first = await pool.acquire(live);
    const second = await pool.acquire(live);
    expect(new Set([first, second])).toEqual(new Set(['a', 'b']));

    const gone = new AbortController();
    const order: string[] = [];
    const w1 = pool.acquire(live).then((x) => (order.push(`w1:${x}`), x));
    const w2 = pool.acquire(gone.signal).then((x) => (order.push(`w2:${x}`), x));
    const w3 = pool.acquire(live).then((x) => (order.push(`w3:${x}`), x));
    expect(pool.waiting).toBe(3);
    gone.abort();
    expect(await w2).toBeNull();
    pool.release(first as string);
    pool.release(second as string);
    expect(await w1).toBe(first);
    expect(await w3).toBe(second);
    expect(order).toEqual(['w2:null', `w1:${first}`, `w3:${second}`]);
    expect(pool.waiting).toBe(0);
    expect(await pool.acquire(AbortSignal.abort())).toBeNull();
  });

  it('hands out the first free item in list order, so busy sequence ids stay consecutive and one run at a time reuses the same one', async () => {
    const pool = new SequencePool([0, 1, 2, 3]);
    const s = new AbortController().signal;
    const x = (await pool.acquire(s)) as number;
    pool.release(x);
    expect(await pool.acquire(s)).toBe(x);
    expect(x).toBe(0);
    const [b, c] = [await pool.acquire(s), await pool.acquire(s)];
    expect([b, c]).toEqual([1, 2]);
    // 1 is released while 0 and 2 run: the next run takes 1 again, not 3 (no gap in the busy ids).
    pool.release(1);
    expect(await pool.acquire(s)).toBe(1);
  });

  it('counts as generating the busy items not marked finished, until they are released', async () => {
    const pool = new SequencePool(['a', 'b', 'c']);
    const s = new AbortController().signal;
    const a = (await pool.acquire(s)) as string;
    const b = (await pool.acquire(s)) as string;
    expect(pool.generating).toBe(2);
    pool.finish(a);
    expect(pool.busy).toBe(2);
    expect(pool.generating).toBe(1);
    pool.release(a);
    // Handed out again, the item is generating again.
    expect(await pool.acquire(s)).toBe(a);
    expect(pool.generating).toBe(2);
    pool.release(b);
    expect(pool.generating).toBe(1);
  });
});

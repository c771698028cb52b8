import { describe, expect, it } from 'vitest';
import { createSaveQueue } from './saveQueue';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createSaveQueue', () => {
  it('runs tasks one at a time in the order asked, even when an early one is slower', async () => {
    const q = createSaveQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([q.run(task('accept', 30)), q.run(task('reject', 1)), q.run(task('rate', 5))]);
    expect(results).toEqual(['accept', 'reject', 'rate']);
    expect(log).toEqual(['start accept', 'end accept', 'start reject', 'end reject', 'start rate', 'end rate']);
  });

  it('keeps going after a failure and reports it to its caller only', async () => {
    const q = createSaveQueue();
    const order: number[] = [];
    const a = q.run(async () => {
      order.push(1);
      throw new Error('disk full');
    });
    const b = q.run(async () => {
      order.push(2);
      return 'ok';
    });
    await expect(a).rejects.toThrow('disk full');
    await expect(b).resolves.toBe('ok');
    expect(order).toEqual([1, 2]);
  });

  it('counts what is queued and says when it is idle', async () => {
    const q = createSaveQueue();
    void q.run(() => sleep(10));
    void q.run(() => sleep(10));
    expect(q.size).toBe(2);
    await q.idle();
    expect(q.size).toBe(0);
  });
});

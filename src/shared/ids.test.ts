// ULIDs draw their random part from a pool refilled every 256 ids: ids across refills stay distinct and well formed.
import { describe, expect, it } from 'vitest';
import { ulid } from './ids';

describe('ulid', () => {
  it('gives distinct 26-character Crockford ids across pool refills, time first', () => {
    const ids = Array.from({ length: 1000 }, () => ulid(1_700_000_000_000));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(ids.map((id) => id.slice(0, 10))).size).toBe(1);
    expect(ulid(1_700_000_000_001) > ulid(1_700_000_000_000)).toBe(true);
    // The random parts use the whole alphabet (each byte once, mod 32), not a repeating slice of the pool.
    expect(new Set(ids.flatMap((id) => [...id.slice(10)])).size).toBe(32);
  });
});

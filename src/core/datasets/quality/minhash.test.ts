import { describe, expect, it } from 'vitest';
import { estimateJaccard, exactKey, minhash, NearDupIndex, normalizeForDup } from './minhash';

const LONG =
  'The committee reviewed the quarterly report on water quality in the northern district and found that ' +
  'nitrate levels had fallen for the third year in a row, largely because farms adopted buffer strips along ' +
  'the streams. Members asked the agency to publish the raw measurements every month so residents can check ' +
  'the numbers themselves, and to extend monitoring to the two wells that supply the eastern villages.';
const OTHER =
  'To bake a sourdough loaf, feed the starter the night before, mix flour and water and let it rest for an ' +
  'hour, then add salt and fold the dough every thirty minutes. Shape it, proof it in the fridge overnight ' +
  'and bake in a very hot covered pot, uncovering it for the last twenty minutes to brown the crust.';
const ZH =
  '今天我们讨论的是北方地区水质的季度报告。委员会发现，由于农场在河流沿岸设置了缓冲带，硝酸盐含量连续第三年下降。' +
  '委员们要求有关部门每月公布原始测量数据，以便居民自行核对，并将监测范围扩大到为东部村庄供水的两口水井。';

/** Exact Jaccard of the normalized texts' 5-character shingle sets. */
function jaccard(a: string, b: string): number {
  const sh = (t: string) => {
    const s = normalizeForDup(t);
    const out = new Set<string>();
    for (let i = 0; i + 5 <= s.length; i++) out.add(s.slice(i, i + 5));
    return out;
  };
  const x = sh(a);
  const y = sh(b);
  let inter = 0;
  for (const v of x) if (y.has(v)) inter++;
  return inter / (x.size + y.size - inter);
}

describe('normalizeForDup and exactKey', () => {
  it('normalizes case, whitespace, punctuation (incl. CJK and fullwidth) and NFKC', () => {
    expect(normalizeForDup('  Hello,   WORLD!\n\tHow are  you? ')).toBe('hello world how are you');
    expect(normalizeForDup('你好，世界！「测试」')).toBe('你好世界测试');
    expect(normalizeForDup('ＡＢＣ１２３')).toBe('abc123');
    expect(normalizeForDup('İstanbul')).toBe('i̇stanbul'); // locale-free lowercase
  });
  it('gives one 16-hex key to identical texts and to whitespace/case/punctuation variants', () => {
    const k = exactKey('Hello, world! How are you?');
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(exactKey('Hello, world! How are you?')).toBe(k);
    expect(exactKey('hello world how are you')).toBe(k);
    expect(exactKey('  HELLO ,  World  —  how ARE you ??')).toBe(k);
    expect(exactKey('你好，世界。')).toBe(exactKey('你好 世界'));
    expect(exactKey('hello world how are you!')).toBe(k);
    expect(exactKey('hello world how are we')).not.toBe(k);
  });
});

describe('minhash', () => {
  it('is deterministic and seed-dependent', () => {
    const a = minhash(LONG);
    expect(a).toHaveLength(64);
    expect(Array.from(minhash(LONG))).toEqual(Array.from(a));
    expect(Array.from(minhash(LONG, { seed: 7 }))).not.toEqual(Array.from(a));
    expect(minhash(LONG, { numHashes: 128 })).toHaveLength(128);
    expect(Array.from(minhash('abc').slice(0, 2))).toEqual(Array.from(minhash('ABC!').slice(0, 2)));
  });
  it('handles text shorter than a shingle and empty text', () => {
    expect(estimateJaccard(minhash('hi'), minhash('HI!'))).toBe(1);
    expect(estimateJaccard(minhash('hi'), minhash('ho'))).toBe(0);
    expect(minhash('')).toHaveLength(64);
  });
  it('estimates Jaccard within sampling error', () => {
    const edited = LONG.replace('quarterly', 'annual').replace('third', 'fourth').replace('monitoring', 'sampling');
    const pairs: [string, string][] = [[LONG, edited], [LONG, OTHER], [LONG, LONG.slice(0, 250)], [ZH, ZH.slice(20)]];
    for (const [x, y] of pairs) {
      const est = estimateJaccard(minhash(x, { numHashes: 256 }), minhash(y, { numHashes: 256 }));
      expect(Math.abs(est - jaccard(x, y)), `${jaccard(x, y)} vs ${est}`).toBeLessThan(0.1);
    }
  });
  it('rejects signatures of different lengths', () => {
    expect(() => estimateJaccard(new Uint32Array(4), new Uint32Array(8))).toThrow(/differ/);
  });
});

describe('NearDupIndex', () => {
  it('finds a one-word edit of a long text and not an unrelated text', () => {
    const idx = new NearDupIndex();
    expect(idx.add(10, minhash(LONG))).toBeNull();
    expect(idx.add(11, minhash(OTHER))).toBeNull();
    expect(idx.add(12, minhash(LONG.replace('northern', 'southern')))).toBe(10);
    expect(idx.add(13, minhash(OTHER.toUpperCase()))).toBe(11);
    expect(idx.add(14, minhash('A short unrelated sentence about trains.'))).toBeNull();
    expect(idx.size).toBe(5);
  });
  it('finds CJK near duplicates', () => {
    const idx = new NearDupIndex();
    expect(idx.add(1, minhash(ZH))).toBeNull();
    expect(idx.add(2, minhash(ZH.replace('第三年', '第四年')))).toBe(1);
    expect(idx.add(3, minhash('用户希望了解如何在家里烤制酸面包，包括喂养酵种、揉面和烘烤的温度。'))).toBeNull();
  });
  it('keeps working across table growth (many rows) and is deterministic', () => {
    const run = () => {
      const idx = new NearDupIndex();
      const found: (number | null)[] = [];
      for (let i = 0; i < 30_000; i++) {
        const sig = minhash(`row ${i} ${(i * 2654435761) >>> 0} unique content ${i % 7} ${(i * 40503) >>> 0}`);
        found.push(idx.add(i, sig));
      }
      found.push(idx.add(99_999, minhash(`row 123 ${(123 * 2654435761) >>> 0} unique content ${123 % 7} ${(123 * 40503) >>> 0}`)));
      return found;
    };
    const a = run();
    expect(a[a.length - 1]).toBe(123);
    expect(run()).toEqual(a);
  });
  it('validates its options and signatures', () => {
    expect(() => new NearDupIndex({ bands: 0 })).toThrow(/bands/);
    expect(() => new NearDupIndex({ threshold: 1.5 })).toThrow(/threshold/);
    expect(() => new NearDupIndex().add(1, new Uint32Array(8))).toThrow(/64/);
  });
});

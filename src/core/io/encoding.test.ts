import { describe, expect, it } from 'vitest';
import { detectEncoding, lineDecoder } from './encoding';

// "中文" in GBK/GB18030 is D6 D0 CE C4; "你好" is C4 E3 BA C3.
const GB_ZHONGWEN = [0xd6, 0xd0, 0xce, 0xc4];
const GB_NIHAO = [0xc4, 0xe3, 0xba, 0xc3];

describe('detectEncoding', () => {
  it('says UTF-8 for ASCII, UTF-8 with or without a BOM, and a sample cut inside a character', () => {
    expect(detectEncoding(Buffer.from('{"a": 1}\n'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('\uFEFF{"a": "中文"}'))).toBe('utf-8');
    const cut = Buffer.from('{"a": "中文"}').subarray(0, 9); // ends inside 文
    expect(detectEncoding(cut)).toBe('utf-8');
  });

  it('says GB18030 for GBK Chinese text, even when the sample ends inside a character', () => {
    const gb = Buffer.from([...Buffer.from('{"q": "'), ...GB_ZHONGWEN, ...GB_NIHAO, ...Buffer.from('"}\n')]);
    expect(detectEncoding(gb)).toBe('gb18030');
    expect(detectEncoding(gb.subarray(0, 10))).toBe('gb18030');
  });

  it('falls back to UTF-8 for bytes that are neither (so lines report the problem)', () => {
    expect(detectEncoding(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]))).toBe('utf-8');
  });
});

describe('lineDecoder', () => {
  it('decodes GB18030 and reports bytes that are not', () => {
    const d = lineDecoder('gb18030');
    expect(d(Buffer.from(GB_ZHONGWEN))).toEqual({ text: '中文', error: null });
    expect(d(Buffer.from([0x41, 0xff, 0x41])).error).toBe('not valid GB18030');
    expect(lineDecoder('utf-8')(Buffer.from(GB_ZHONGWEN)).error).toBe('not valid UTF-8');
  });
});

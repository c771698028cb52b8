import { describe, expect, it } from 'vitest';
import { findPii, maskPii, PII_BIT, PII_KINDS, piiMask, type PiiKind } from './pii';
import { idCheckChar, idChecksum, luhn, narrow, plausibleRegion } from './piiValidators';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Appends the MOD 11-2 check character to 17 digits. */
function withIdCheck(d17: string): string {
  const sum = [...d17].reduce((s, c, i) => s + Number(c) * (W[i] as number), 0);
  return d17 + '10X98765432'[sum % 11];
}
/** Appends the Luhn check digit. */
function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const s = body + d;
    let sum = 0;
    [...s].reverse().forEach((c, i) => {
      let v = Number(c);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    });
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}
const kinds = (t: string): [PiiKind, string][] => findPii(t).map((m) => [m.kind, m.text]);

const ID = withIdCheck('11010519900307451'); // Beijing, 1990-03-07
const ID_X = '11010519491231002X'; // the GB 11643 example, check character X
const CARD = withLuhn('622202123456789012'); // 19-digit UnionPay
const VISA = '4111111111111111';

describe('findPii: ID cards', () => {
  it('finds 18-digit IDs with a valid checksum, including X', () => {
    expect(kinds(`身份证号${ID}，请核对`)).toEqual([['id_card', ID]]);
    expect(kinds(`id: ${ID_X}.`)).toEqual([['id_card', ID_X]]);
    expect(kinds(`id: ${ID_X.toLowerCase()}`)).toEqual([['id_card', ID_X.toLowerCase()]]);
  });
  it('finds 15-digit legacy IDs with a valid date', () => {
    expect(kinds('旧证 110105900307451 号')).toEqual([['id_card', '110105900307451']]);
  });
  it('rejects bad checksums, impossible dates, bad regions and longer runs', () => {
    const bad = ID.slice(0, 17) + ((Number(ID[17]) + 1) % 10);
    expect(findPii(`身份证 ${bad}`)).toEqual([]);
    expect(findPii(`身份证 ${withIdCheck('11010519990230451')}`)).toEqual([]); // Feb 30
    expect(findPii(`身份证 ${withIdCheck('11010518991231451')}`)).toEqual([]); // 1899
    expect(findPii(`身份证 ${withIdCheck('99010519900307451')}`)).toEqual([]); // no province 99
    expect(findPii(`x ${ID}7 y`)).toEqual([]);
    expect(findPii(`x 9${ID} y`)).toEqual([]);
    expect(findPii('旧证 110105901307451')).toEqual([]); // month 13
  });
});

describe('findPii: bank cards', () => {
  it('finds Luhn-valid cards, plain and grouped by spaces or hyphens', () => {
    expect(kinds(`卡号${CARD}`)).toEqual([['bank_card', CARD]]);
    expect(kinds('card 4111 1111 1111 1111 ok')).toEqual([['bank_card', '4111 1111 1111 1111']]);
    expect(kinds('card 4111-1111-1111-1111')).toEqual([['bank_card', '4111-1111-1111-1111']]);
    const grouped = CARD.replace(/(\d{4})(?=\d)/g, '$1 ');
    expect(kinds(`卡 ${grouped}`)).toEqual([['bank_card', grouped]]);
  });
  it('rejects Luhn failures, placeholder runs, non-card prefixes and longer runs', () => {
    // No card keyword before these: after one (卡号, card, acct) a Luhn failure is still a card, see below.
    expect(findPii('no. 4111111111111112')).toEqual([]);
    expect(findPii('no. 4111 1111 1111 1112')).toEqual([]);
    expect(findPii('card 0000 0000 0000 0000')).toEqual([]);
    expect(findPii(`no. ${VISA}0`)).toEqual([]);
    expect(findPii(`card 4111 1111 1111 1111 1111 1111`)).toEqual([]);
    expect(findPii('card 4111 111 1111 1111 1')).toEqual([]); // not groups of 4
    // A 13-digit millisecond timestamp can pass Luhn; it starts with 1, which no card network uses.
    expect(findPii(`ts=${withLuhn('171500000000')}`)).toEqual([]);
  });
  it('an 18-digit valid ID is an ID card, an ID-shaped number with a bad checksum is nothing', () => {
    expect(kinds(ID).map((k) => k[0])).toEqual(['id_card']);
  });
});

describe('findPii: phones', () => {
  it('finds mainland mobiles with and without prefix and grouping', () => {
    for (const p of ['13812345678', '138 1234 5678', '138-1234-5678', '+8613812345678', '+86 138 1234 5678', '86 138-1234-5678', '008613812345678', '0086 13812345678', '+86-13812345678']) {
      expect(kinds(`电话：${p}，谢谢`), p).toEqual([['phone', p]]);
    }
  });
  it('finds international numbers after a plus', () => {
    expect(kinds('call +44 20 7946 0958 now')).toEqual([['phone', '+44 20 7946 0958']]);
    expect(kinds('call +1-415-555-2671.')).toEqual([['phone', '+1-415-555-2671']]);
  });
  it('does not flag plain numbers, years, prices, versions, timestamps, ids', () => {
    for (const t of [
      '12812345678', // starts with 12
      '1381234567', // 10 digits
      'in 2024 we sold 13000 units for 1999.99 yuan',
      'version 13.812345678 and v1.13812345678',
      'ts 1715000000 and 1715000000123 and 2024-01-15 13:45:12',
      'order #2024011513452',
      'uuid 550e8400-e29b-41d4-a716-446655440000',
      'hash a13812345678b and key_13812345678',
      '138 1234 5678 9',
      'x+1234567',
    ]) {
      expect(findPii(t), t).toEqual([]);
    }
  });
});

describe('findPii: emails', () => {
  it('finds practical addresses, unicode-safe, without trailing punctuation', () => {
    expect(kinds('mail john.doe+tag@example.co.uk.')).toEqual([['email', 'john.doe+tag@example.co.uk']]);
    expect(kinds('联系zhang.san@example.com获取')).toEqual([['email', 'zhang.san@example.com']]);
    expect(kinds('écrire à josé@exemple.fr')).toEqual([['email', 'josé@exemple.fr']]);
    expect(kinds('qq: 13812345678@qq.com')).toEqual([['email', '13812345678@qq.com']]);
    expect(kinds('пишите иван@почта.рф')).toEqual([['email', 'иван@почта.рф']]);
  });
  it('rejects non-addresses', () => {
    for (const t of ['@handle', 'a@b', 'a@b.c', 'x@-bad.com', 'a..b@c.com', '.@x.com', 'user@localhost', 'a @ b.com', 'pkg@1.2.3']) {
      expect(findPii(t), t).toEqual([]);
    }
  });
});

describe('findPii: mixed text', () => {
  it('returns non-overlapping matches in order', () => {
    const t = `张三 ${ID}，电话 13812345678，邮箱 a@b.cn，卡 ${VISA}，另 +44 20 7946 0958`;
    const m = findPii(t);
    expect(m.map((x) => x.kind)).toEqual(['id_card', 'phone', 'email', 'bank_card', 'phone']);
    for (const x of m) expect(t.slice(x.start, x.end)).toBe(x.text);
    for (let i = 1; i < m.length; i++) expect((m[i] as { start: number }).start).toBeGreaterThanOrEqual((m[i - 1] as { end: number }).end);
  });
});

describe('piiMask and maskPii', () => {
  it('exports one bit per kind', () => {
    expect(PII_KINDS.map((k) => PII_BIT[k])).toEqual([1, 2, 4, 8]);
  });
  it('returns the bitmask of kinds found, 0 on clean text', () => {
    expect(piiMask('plain text with no numbers')).toBe(0);
    expect(piiMask('year 2024, price 19.99')).toBe(0);
    expect(piiMask(`${ID} 13812345678`)).toBe(PII_BIT.id_card | PII_BIT.phone);
    expect(piiMask(`${VISA} a@b.cn`)).toBe(PII_BIT.bank_card | PII_BIT.email);
    expect(piiMask('138 1234 5678')).toBe(PII_BIT.phone);
  });
  it('masks all kinds, or only the chosen ones', () => {
    const t = `电话 13812345678 邮箱 a@b.cn 卡 ${VISA}`;
    expect(maskPii(t)).toBe('电话 [PHONE] 邮箱 [EMAIL] 卡 [BANK_CARD]');
    expect(maskPii(t, ['email'])).toBe(`电话 13812345678 邮箱 [EMAIL] 卡 ${VISA}`);
    expect(maskPii(`id ${ID}`)).toBe('id [ID_CARD]');
    expect(maskPii('nothing here')).toBe('nothing here');
  });
});

describe('checksums on published test vectors', () => {
  it('GB 11643 / ISO 7064 MOD 11-2', () => {
    expect(idCheckChar('11010519491231002X', 0)).toBe('X'); // the standard's own example
    expect(idCheckChar('440524188001010014', 0)).toBe('4');
    expect(idChecksum('11010519491231002X', 0, 'x')).toBe(true);
    expect(idChecksum('110105194912310021', 0, '1')).toBe(false);
  });
  it('Luhn', () => {
    const ok = ['79927398713', '4111111111111111', '5555555555554444', '378282246310005', '6200000000000005', '6205500000000000004'];
    for (const n of ok) expect(luhn(n, 0, n.length), n).toBe(true);
    for (const n of ['79927398710', '4111111111111112', '6200000000000006']) expect(luhn(n, 0, n.length), n).toBe(false);
    expect(luhn('4111 1111-1111 1111', 0, 19)).toBe(true); // separators are skipped
  });
  it('finds the published card numbers, UnionPay 16 and 19 digits included', () => {
    for (const n of ['6200000000000005', '6205500000000000004', '6205 5000 0000 0000 004', '5555555555554444']) {
      expect(kinds(`pay with ${n} today`), n).toEqual([['bank_card', n]]);
    }
  });
  it('region codes: known province, and a prefecture on the mainland', () => {
    expect(plausibleRegion('110105', 0)).toBe(true);
    expect(plausibleRegion('810000', 0)).toBe(true); // Hong Kong residence permit
    expect(plausibleRegion('110000', 0)).toBe(false);
    expect(plausibleRegion('990105', 0)).toBe(false);
  });
});

describe('findPii: full-width input', () => {
  it('reads full-width digits, ｘ and separators with offsets unchanged', () => {
    const t = '身份证：１１０１０５１９４９１２３１００２ｘ，电话：１３８－１２３４－５６７８';
    const m = findPii(t);
    expect(m.map((x) => [x.kind, x.text])).toEqual([
      ['id_card', '１１０１０５１９４９１２３１００２ｘ'],
      ['phone', '１３８－１２３４－５６７８'],
    ]);
    for (const x of m) expect(t.slice(x.start, x.end)).toBe(x.text);
    expect(narrow(t).length).toBe(t.length);
    expect(kinds('手机＋８６　１３８　１２３４　５６７８')).toEqual([['phone', '＋８６　１３８　１２３４　５６７８']]);
    expect(piiMask('卡号：６２２２０２１２３４５６７８９０１２８')).toBe(PII_BIT.bank_card);
  });
});

describe('findPii: +86 forms', () => {
  it('keeps the country code with the number', () => {
    for (const p of ['+86 13812345678', '+86-138-1234-5678', '0086-138-1234-5678', '86-13812345678', '8613812345678']) {
      expect(kinds(`tel ${p}`), p).toEqual([['phone', p]]);
    }
  });
});

describe('findPii: card keywords and traps', () => {
  it('a number right after a card keyword is a card even when Luhn fails', () => {
    for (const t of ['卡号：6222021234567890127', '银行卡 6222 0212 3456 7890 127', '账号1234567890123456', 'card no: 4111111111111112', 'acct 4111-1111-1111-1112']) {
      expect(findPii(t).map((m) => m.kind), t).toEqual(['bank_card']);
    }
  });
  it('does not read timestamps, order numbers or dates as cards', () => {
    for (const t of [
      'ts=1700000000000',
      'created 1715000000123 ms',
      'card 1700000000000', // a timestamp even next to the word
      '订单号 6200000000000005',
      'order #4111111111111111',
      'invoice 5555555555554444',
      '日期 20231231，时间 20231231235959',
      '订单号：110105900307451', // 15 digits that would pass as a legacy ID
    ]) {
      expect(findPii(t), t).toEqual([]);
    }
  });
  it('IDs born in a future year are not IDs', () => {
    const y = new Date().getFullYear() + 1;
    expect(findPii(`id ${withIdCheck(`110105${y}0101001`)}`)).toEqual([]);
  });
});

describe('findPii: keyword context', () => {
  it('reaches a keyword a few words back, and lets an ID keyword keep a mistyped ID from being a card', () => {
    expect(kinds('Card number (debit): 4931154117838899')).toEqual([['bank_card', '4931154117838899']]);
    expect(findPii('身份证号 610113199913016093')).toEqual([]); // month 13: a mistyped ID, though Luhn passes
    expect(kinds('证件号 110105900307451')).toEqual([['id_card', '110105900307451']]);
  });
});

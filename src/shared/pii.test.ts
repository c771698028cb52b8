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
    expect(plausibleRegion('833930', 0)).toBe(false); // permits use the bare code only
    expect(plausibleRegion('830000', 0)).toBe(true);
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

describe('findPii: numbers typed in groups', () => {
  const found = (t: string): [PiiKind, string][] => kinds(t);
  const NAT = (v: string, sizes: number[], sep: string): string => {
    const out: string[] = [];
    let at = 0;
    for (const n of sizes) out.push(v.slice(at, (at += n)));
    return out.join(sep);
  };
  it('reads an ID in the common layouts with any of the separators people type', () => {
    for (const sizes of [[6, 8, 4], [6, 4, 4, 4], [3, 3, 4, 4, 4], [4, 4, 4, 4, 2], [6, 6, 6]]) {
      for (const sep of [' ', '   ', '-', ' - ', '.', '\u3000', '\u00a0']) {
        const g = NAT(ID, sizes, sep);
        expect(found(`身份证号：${g}`), JSON.stringify(g)).toEqual([['id_card', g]]);
      }
    }
  });
  it('reads full-width digits, x/X/ｘ at the end, one digit per box and a check X in its own box', () => {
    const wide = '１１０１０５　１９４９１２３１　００２Ｘ';
    expect(found(`身份证：${wide}`)).toEqual([['id_card', wide]]);
    for (const x of ['X', 'x', 'ｘ']) expect(found(`ID: 110105 19491231 002${x}`)).toEqual([['id_card', `110105 19491231 002${x}`]]);
    expect(found([...ID].join(' '))).toEqual([['id_card', [...ID].join(' ')]]);
    expect(found([...ID_X].join(' '))).toEqual([['id_card', [...ID_X].join(' ')]]);
  });
  it('finds a grouped ID inside brackets, after labels, at line start or end, glued to Chinese', () => {
    const g = NAT(ID, [6, 8, 4], ' ');
    for (const t of [`(${g})`, `【${g}】`, `[${g}]`, `ID No.: ${g}`, `NRIC: ${g}`, `证件号码:${g}`, `${g} is my id`, `the id is ${g}`, `户主身份证${g}号`, `${g}\n下一行`]) {
      expect(found(t), t).toEqual([['id_card', g]]);
    }
  });
  it('reads a legacy 15-digit ID in its own 6-6-3 layout, or in any layout after an ID word', () => {
    expect(found('旧证 110105 900307 451')).toEqual([['id_card', '110105 900307 451']]);
    expect(found('身份证 1101 0590 0307 451')).toEqual([['id_card', '1101 0590 0307 451']]);
    expect(findPii('编码 1101 0590 0307 451')).toEqual([]); // no check digit, no layout, no keyword
    expect(findPii('订单号 110105 900307 451')).toEqual([]);
  });
  it('after an ID word, takes the ID from the front of a longer run of groups', () => {
    const g = NAT(ID, [6, 8, 4], ' ');
    expect(found(`身份证 ${g} 138 1234 5678`)).toEqual([['id_card', g], ['phone', '138 1234 5678']]);
    const plain = NAT(withIdCheck('11010519900307452'), [6, 8, 4], ' '); // ends in a digit, so the run goes on
    expect(found(`ID ${plain} 138 1234 5678`)).toEqual([['id_card', plain], ['phone', '138 1234 5678']]);
    // No ID word: a run is cut in two only where both parts are whole, validated numbers.
    expect(found(`${plain} 138 1234 5678`)).toEqual([['id_card', plain], ['phone', '138 1234 5678']]);
    expect(found('138 1234 5678 4111 1111 1111 1111')).toEqual([['phone', '138 1234 5678'], ['bank_card', '4111 1111 1111 1111']]);
    expect(findPii(`${plain} 138 1234 5678 9`)).toEqual([]);
    expect(findPii(`2024 1101 ${plain}`)).toEqual([]);
  });
  it('ends a run where its separator changes, so a date beside an ID or phone stays apart', () => {
    const plain = NAT(withIdCheck('11010519900307452'), [6, 8, 4], ' ');
    expect(found(`2024-11-01 ${plain}`)).toEqual([['id_card', plain]]);
    expect(found(`${plain} - 2024`)).toEqual([['id_card', plain]]);
    expect(found('2024.11.01 138 1234 5678')).toEqual([['phone', '138 1234 5678']]);
    expect(found('138-1234-5678 2024')).toEqual([['phone', '138-1234-5678']]);
  });
  it('reads columns two or three spaces apart as separate numbers when a cell groups by one space', () => {
    const g = NAT(ID, [6, 8, 4], ' ');
    expect(found(`12   王芳   ${g}   138 1234 5678   2024-11-01`)).toEqual([['id_card', g], ['phone', '138 1234 5678']]);
    expect(found(`2024  138 1234 5678  9`)).toEqual([['phone', '138 1234 5678']]);
    expect(found(`手机：138  1234  5678`)).toEqual([['phone', '138  1234  5678']]); // all gaps alike: one number
  });
  it('rejects grouped numbers whose digits are not a valid ID', () => {
    const badCheck = ID.slice(0, 17) + ((Number(ID[17]) + 1) % 10);
    for (const t of [
      `身份证号：${NAT(badCheck, [6, 8, 4], ' ')}`,
      `身份证 ${NAT(withIdCheck('11010519990230451'), [6, 8, 4], '-')}`, // Feb 30
      `身份证 ${NAT(withIdCheck('99010519900307451'), [6, 4, 4, 4], ' ')}`, // no province 99
      `身份证 ${NAT(ID.slice(0, 17), [6, 8, 3], ' ')}`, // 17 digits
      '户主身份证23-01032006-08100-968号', // bad check character; its first 15 digits pass as a legacy ID
      `ID ${NAT(ID, [6, 8, 4], '\t')}`, // tab-separated cells are columns
      `ID ${NAT(ID, [6, 8, 4], '    ')}`, // more than three spaces is layout, not a separator
    ]) {
      expect(findPii(t), t).toEqual([]);
    }
  });
  it('does not join unrelated numbers: table rows, dates, times, amounts', () => {
    for (const t of [
      `2024 1101 ${NAT(ID, [4, 4, 4, 4, 2], ' ')} 0930`, // seven groups: a row, not one number
      '2024 1101 0930 1200 35',
      '2024 11 01 12 30 45',
      '2024-11-01 12:30:45 登录',
      '2024.11.01 1381 2345',
      '金额 1 234 567.89 元',
      '¥ 13 800 138 000',
      '序号 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18',
      '165 2004 2004-11-14 入库', // the second 2004 starts the date, so "165 2004 2004" is no phone
      '172 - 2006 - 2006-12-11',
      '159.0203.2000-02-03',
      '22:54 0518 20170518 7221', // continues a time
      '3884 6113 1998 1998-04-20', // likewise for a card
    ]) {
      expect(findPii(t), t).toEqual([]);
    }
  });
  it('reads cards in groups of four with spaces, dashes or full-width spaces, and Amex 4-6-5', () => {
    for (const g of ['4111  1111  1111  1111', '4111 - 1111 - 1111 - 1111', '4111\u30001111\u30001111\u30001111', CARD.replace(/(\d{4})(?=\d)/g, '$1-'), '3782 822463 10005']) {
      expect(found(`card ${g}`), g).toEqual([['bank_card', g]]);
    }
    // An ID-shaped 18 in card groups with a bad check character is a mistyped ID, not a card.
    // (Visa prefix 4, Luhn-valid, so only the ID shape keeps it from being a card.)
    const bad = withLuhn('41010519900307452');
    expect(withIdCheck('41010519900307452')).not.toBe(bad);
    expect(findPii(`no. ${NAT(bad, [4, 4, 4, 4, 2], ' ')}`)).toEqual([]);
    expect(found(`卡号 ${NAT(bad, [4, 4, 4, 4, 2], ' ')}`)).toEqual([['bank_card', NAT(bad, [4, 4, 4, 4, 2], ' ')]]);
    expect(findPii('订单号 4111 1111 1111 1111')).toEqual([]);
  });
  it('reads mobiles with double spaces, dots, spaced dashes, 3-8 and country codes in brackets', () => {
    expect(findPii('库存 150 20241101 入库')).toEqual([]); // 3-8 only after a phone word
    for (const p of ['138  1234  5678', '138.1234.5678', '138 - 1234 - 5678', '138 12345678', '(+86) 138 1234 5678', '（+86）13812345678', '(86) 13812345678', '+86 138.1234.5678', '0086-138-1234-5678', '１３８　１２３４　５６７８']) {
      expect(found(`手机：${p}，谢谢`), p).toEqual([['phone', p]]);
    }
    expect(found('x86 13812345678')).toEqual([['phone', '13812345678']]); // a bare 86 is no country code
    expect(found('TEL（+86）138-1234-5678')).toEqual([['phone', '（+86）138-1234-5678']]);
  });
  it('does not read phone-shaped numbers after order, tracking or invoice words, unless a phone word is nearer', () => {
    for (const t of ['订单号：138 1234 5678', '单号13812345678已签收', '发票号码 138-1234-5678', 'order #13812345678']) expect(findPii(t), t).toEqual([]);
    expect(found('订单已发货，电话 13812345678')).toEqual([['phone', '13812345678']]);
    expect(found('please refer 13812345678')).toEqual([['phone', '13812345678']]); // "ref" only as a word
    expect(findPii('ref: 13812345678')).toEqual([]);
  });
  it('reads a full-width ＠, and one space by the @ when an email word or the local part says so', () => {
    expect(found('邮箱：wang.xm＠qq.com')).toEqual([['email', 'wang.xm＠qq.com']]);
    expect(found('邮箱 zhangsan @ qq.com')).toEqual([['email', 'zhangsan @ qq.com']]);
    expect(found('send to li.na88 @163.com')).toEqual([['email', 'li.na88 @163.com']]);
    expect(found('mail: j.smith@ corp.example.com')).toEqual([['email', 'j.smith@ corp.example.com']]);
    for (const t of ['see issue @ github.com', 'thanks @ bob.smith', 'meet @ 10.30', 'zhangsan @ qq.com']) expect(findPii(t), t).toEqual([]);
  });
  it('masks the whole grouped span, separators included', () => {
    expect(maskPii(`身份证：${NAT(ID, [6, 8, 4], '\u3000')}，电话 (+86) 138 1234 5678。`)).toBe('身份证：[ID_CARD]，电话 [PHONE]。');
    expect(piiMask('手机 138.1234.5678')).toBe(PII_BIT.phone);
  });
});

import { describe, expect, it } from 'vitest';
import { compilePiiRules, PiiMasker, redact, StreamUnmasker, unmaskText } from './piiMask';

const ID = '11010519491231002X';
const CARD = '6222021234567890128'; // 19-digit UnionPay, Luhn-valid
const PHONE = '13812345678';

describe('compilePiiRules', () => {
  it('compiles rules with the global flag and their own flags', () => {
    const [r] = compilePiiRules([{ name: 'EMPLOYEE_NO', pattern: 'emp-\\d{5}', flags: 'i' }]);
    expect(r!.name).toBe('EMPLOYEE_NO');
    expect(r!.regex.flags).toBe('gi');
  });
  it('names the bad rule by index and name', () => {
    const rules = [
      { name: 'A', pattern: 'a+', flags: '' },
      { name: 'B', pattern: 'b+', flags: '' },
      { name: 'EMPLOYEE_NO', pattern: 'emp-(\\d{5}', flags: '' },
    ];
    expect(() => compilePiiRules(rules)).toThrow(/^customRules\[2\] EMPLOYEE_NO: the pattern is not a valid regular expression \(.+\)$/);
  });
  it('refuses patterns that match the empty string', () => {
    expect(() => compilePiiRules([{ name: 'X', pattern: '\\d*', flags: '' }])).toThrow('customRules[0] X: the pattern matches the empty string');
  });
});

describe('PiiMasker', () => {
  it('masks every kind with numbered placeholders and offsets into the input', () => {
    const m = new PiiMasker();
    const input = `身份证${ID}，卡号 ${CARD}，电话 ${PHONE}，邮箱 alice@example.com`;
    const r = m.mask(input);
    expect(r.text).toBe('身份证[ID_1]，卡号 [CARD_1]，电话 [PHONE_1]，邮箱 [EMAIL_1]');
    expect(r.findings.map((f) => [f.kind, input.slice(f.start, f.end), f.placeholder])).toEqual([
      ['id_card', ID, '[ID_1]'],
      ['bank_card', CARD, '[CARD_1]'],
      ['phone', PHONE, '[PHONE_1]'],
      ['email', 'alice@example.com', '[EMAIL_1]'],
    ]);
    expect(r.findings.map((f) => f.redacted)).toEqual(['1101************2X', '6222***********0128', '138****5678', 'a***@example.com']);
  });

  it('keeps placeholders stable across calls and numbers new values per prefix', () => {
    const m = new PiiMasker();
    expect(m.mask(`a ${PHONE} b 13900001111`).text).toBe('a [PHONE_1] b [PHONE_2]');
    expect(m.mask(`again ${PHONE}, and ${PHONE}`).text).toBe('again [PHONE_1], and [PHONE_1]');
    expect(m.mask('13700002222').text).toBe('[PHONE_3]');
    expect([...m.mapping]).toEqual([
      ['[PHONE_1]', PHONE],
      ['[PHONE_2]', '13900001111'],
      ['[PHONE_3]', '13700002222'],
    ]);
    expect(m.counts()).toEqual({ phone: 5 });
  });

  it('applies custom rules; built-in matches win, custom matches never overlap', () => {
    const rules = compilePiiRules([
      { name: 'EMPLOYEE_NO', pattern: 'E\\d{6}', flags: '' },
      { name: 'DIGITS', pattern: '\\d{6,}', flags: '' },
      { name: 'PROJECT', pattern: 'E12', flags: '' },
    ]);
    const m = new PiiMasker(rules);
    const r = m.mask(`工号 E123456，手机 ${PHONE}`);
    expect(r.text).toBe('工号 [EMPLOYEE_NO_1]，手机 [PHONE_1]');
    expect(r.findings.map((f) => f.kind)).toEqual(['EMPLOYEE_NO', 'phone']);
    expect(r.findings[0]!.redacted).toBe('E*****6');
    expect(m.counts()).toEqual({ EMPLOYEE_NO: 1, phone: 1 });
  });

  it('never puts the raw value in findings or the masked text', () => {
    const m = new PiiMasker();
    const r = m.mask(`${ID} ${CARD} ${PHONE} bob@corp.cn`);
    const shown = JSON.stringify(r);
    for (const raw of [ID, CARD, PHONE, 'bob@corp.cn']) expect(shown).not.toContain(raw);
  });

  it('masks full-width and +86 forms, keeping what the user wrote in the mapping', () => {
    const m = new PiiMasker();
    const wide = '１３８１２３４５６７８';
    const r = m.mask(`电话：${wide}，或 +86 139-0000-1111`);
    expect(r.text).toBe('电话：[PHONE_1]，或 [PHONE_2]');
    expect(m.mapping.get('[PHONE_1]')).toBe(wide);
    expect(r.findings.map((f) => f.redacted)).toEqual(['138****5678', '+86 139****1111']);
  });
  it('replaces a grouped value with its separators, and unmasking gives back the text byte for byte', () => {
    const grouped = [
      '110105\u300019491231\u3000002ｘ',
      '１１０１０５ １９４９１２３１ ００２Ｘ',
      '110105.1949.1231.002X',
      '110\u00a0105\u00a01949\u00a01231\u00a0002X',
      '(+86) 138 1234 5678',
      '（+86）139-0000-1111',
      '6222  0212  3456  7890  128',
    ];
    const m = new PiiMasker();
    const input = `表一：${grouped.join('；')}。邮箱 zhangsan @ qq.com`;
    const r = m.mask(input);
    expect(r.text).toBe('表一：[ID_1]；[ID_2]；[ID_3]；[ID_4]；[PHONE_1]；[PHONE_2]；[CARD_1]。邮箱 [EMAIL_1]');
    expect(r.findings.map((f) => input.slice(f.start, f.end))).toEqual([...grouped, 'zhangsan @ qq.com']);
    expect(unmaskText(r.text, m.mapping)).toBe(input);
    // Streamed in small pieces, the reply comes back the same.
    const u = new StreamUnmasker(m.mapping);
    let out = '';
    for (let i = 0; i < r.text.length; i += 3) out += u.push(r.text.slice(i, i + 3));
    expect(out + u.end()).toBe(input);
    expect(r.findings.slice(0, 4).map((f) => f.redacted)).toEqual(['1101************2x', '1101************2X', '1101************2X', '1101************2X']);
  });
});

describe('redact', () => {
  it('hides the middle of each kind', () => {
    expect(redact('bank_card', '6222 0212 3456 7890')).toBe('6222********7890');
    expect(redact('bank_card', '6222.0212.3456.7890')).toBe('6222********7890');
    expect(redact('id_card', '110105.19491231.002X')).toBe('1101************2X');
    expect(redact('phone', '+44 20 7946 0958')).toBe('+44********58');
    expect(redact('email', 'x@y.cn')).toBe('x***@y.cn');
    expect(redact('SECRET', 'abc')).toBe('***');
  });
});

describe('unmasking', () => {
  const m = new PiiMasker();
  const masked = m.mask(`致 ${PHONE}，卡 ${CARD}`).text;

  it('unmaskText restores known placeholders and leaves unknown ones', () => {
    expect(unmaskText(`${masked} [PHONE_9]`, m.mapping)).toBe(`致 ${PHONE}，卡 ${CARD} [PHONE_9]`);
    expect(unmaskText('no placeholders [x]', m.mapping)).toBe('no placeholders [x]');
  });

  it('StreamUnmasker holds a split placeholder until it is complete', () => {
    const s = new StreamUnmasker(m.mapping);
    const deltas = ['已联系 [', 'PHO', 'NE_', '1', '] 并核对 [CA', 'RD_1]。[note] [PH'];
    const shown = deltas.map((d) => s.push(d));
    expect(shown).toEqual(['已联系 ', '', '', '', `${PHONE} 并核对 `, `${CARD}。[note] `]);
    expect(s.end()).toBe('[PH');
    expect(shown.join('') + '[PH').not.toContain('[PHONE_1]');
  });

  it('lets ordinary brackets flow', () => {
    const s = new StreamUnmasker(m.mapping);
    expect(s.push('see [1')).toBe('see [1');
    expect(s.push('] and [x')).toBe('] and [x');
    expect(s.end()).toBe('');
  });
});

describe('repeated values', () => {
  it('masks every copy of a found value, also where the detectors would let it pass, and across texts', () => {
    const card = '6222021234567890128';
    const m = new PiiMasker();
    const sys = m.mask(`卡号 ${card}`);
    // After "ref" the detectors would not read it as a card; the copy is masked anyway.
    const user = m.mask(`reference ${card}, not x${card}9`);
    expect(sys.text).toBe('卡号 [CARD_1]');
    expect(user.text).toBe(`reference [CARD_1], not x${card}9`);
    expect(m.counts()).toEqual({ bank_card: 2 });
  });
});

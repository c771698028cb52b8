// Corpus lines for numbers typed in groups, the way people fill forms and chat (genPiiCorpus.mjs appends
// them after its own lines, from the same seeded generator, so earlier lines never move). Positives: IDs in
// any grouping with spaces, dashes, dots, U+3000, NBSP, full-width digits and a trailing x/X/ｘ; cards in
// 4-4-4-4(-3) and Amex 4-6-5; mobiles with (+86)/+86/0086; emails with ＠ or a space by the @. Hard
// negatives that look grouped: IDs with a bad check character or date, table rows of small groups that
// hide an ID's digits, dates, times, amounts, and phone- or card-shaped numbers after order words.

const SEPS = [' ', ' ', '  ', '   ', '-', ' - ', '.', '\u3000', '\u00a0'];
const LAYOUTS = [[6, 8, 4], [6, 8, 4], [6, 4, 4, 4], [3, 3, 4, 4, 4], [4, 4, 4, 4, 2], [6, 6, 6], [2, 4, 8, 4]];
const ID_TPL = ['身份证：{v}', '身份证号:{v}', '身份证号码 {v}，请核对', '证件号码：{v}（居民身份证）', 'ID: {v}', 'ID No. {v}', 'NRIC: {v}', 'Identity card number {v}.', '({v})', '【{v}】', '{v}', '{v} 是我的身份证', 'the applicant id is {v}', '户主身份证{v}号'];

/** `v` cut into groups of the given sizes (the last takes the rest) joined by `sep`. */
function cut(v, sizes, sep) {
  const out = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= v.length) break;
    out.push(v.slice(at, at + n));
    at += n;
  }
  if (at < v.length) out[out.length - 1] += v.slice(at);
  return out.join(sep);
}

/** Random group sizes (2–6 groups, each 2–8 digits) summing to `len`. */
function randomLayout(int, len) {
  for (;;) {
    const n = int(2, 6);
    const sizes = [];
    let left = len;
    for (let i = 0; i < n - 1; i++) {
      const g = int(2, Math.min(8, left - 2 * (n - 1 - i)));
      sizes.push(g);
      left -= g;
    }
    if (left >= 2 && left <= 8) return [...sizes, left];
  }
}

export function groupedLines(h) {
  const { int, pick, digits, id18, id15, badCheckId, badDateId, card, mobile, withLuhn, withoutLuhn, idCheck, NAMES, DOMAINS } = h;
  const lines = [];
  const pos = (tpl, pii, note) => lines.push({ text: tpl.replace('{v}', pii[0].value), pii, note });
  const neg = (text, note) => lines.push({ text, pii: [], note });
  const wideDigits = (s) => s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  // A grouped ID as typed: layout, separator, full-width digits now and then, x/X/ｘ as it comes.
  const shape = (v, i) => {
    const layout = i % 5 === 4 ? randomLayout(int, 18) : pick(LAYOUTS);
    let g = cut(v, layout, pick(SEPS));
    if (g.endsWith('X')) g = g.slice(0, -1) + pick(['X', 'x', '\uff58']);
    return i % 7 === 3 ? wideDigits(g) : g;
  };

  // ---------- positives ----------
  for (let i = 0; i < 120; i++) {
    let v = id18();
    if (i % 5 === 0) while (!v.endsWith('X')) v = id18();
    pos(pick(ID_TPL), [{ kind: 'id_card', value: shape(v, i) }], 'id18 grouped');
  }
  for (let i = 0; i < 20; i++) {
    const v = id15();
    // No check digit: the 6-6-3 layout alone, or any layout after an ID word.
    const g = i % 2 ? cut(v, [6, 6, 3], pick(SEPS)) : cut(v, randomLayout(int, 15), pick(SEPS));
    pos(i % 2 ? pick(['旧身份证 {v}', '{v}（15位）', 'old id {v}']) : pick(['身份证：{v}', 'ID {v}', '证件号码 {v}']), [{ kind: 'id_card', value: g }], 'id15 grouped');
  }
  for (let i = 0; i < 10; i++) pos(pick(['身份证 {v}', '{v}']), [{ kind: 'id_card', value: [...id18()].join(' ') }], 'id18 one digit per box');
  for (let i = 0; i < 15; i++) {
    const v = cut(id18(), [6, 8, 4], ' ');
    const m = mobile();
    const p = `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
    lines.push({ text: `身份证 ${v} ${p}`, pii: [{ kind: 'id_card', value: v }, { kind: 'phone', value: p }], note: 'id then phone in one run of groups, after an ID word' });
  }
  for (let i = 0; i < 10; i++) {
    const v = cut(id18(), [6, 8, 4], ' ');
    const m = mobile();
    const p = `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
    lines.push({ text: `${pick(['客户', 'row', '记录'])} ${v} ${p}`, pii: [{ kind: 'id_card', value: v }, { kind: 'phone', value: p }], note: 'id then phone in one run of groups, no keyword' });
  }
  for (let i = 0; i < 40; i++) {
    const c = card();
    const sep = pick([' ', '  ', '-', '\u3000', ' - ']);
    const g = c.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
    pos(pick(['卡号：{v}', '银行卡 {v}', 'Card: {v} exp 09/28', '请转账到{v}', 'visa {v}', '{v}（招商银行）']), [{ kind: 'bank_card', value: i % 6 === 5 ? wideDigits(g) : g }], 'card grouped');
  }
  for (let i = 0; i < 10; i++) {
    const c = withLuhn(pick(['34', '37']) + digits(12));
    pos(pick(['amex {v}', 'Card {v}', '美国运通 {v}']), [{ kind: 'bank_card', value: cut(c, [4, 6, 5], ' ') }], 'amex 4-6-5');
  }
  for (let i = 0; i < 60; i++) {
    const m = mobile();
    const f = i % 10;
    const g = (sep) => `${m.slice(0, 3)}${sep}${m.slice(3, 7)}${sep}${m.slice(7)}`;
    const shown = [g('  '), g('.'), g(' - '), `(+86) ${g(' ')}`, `（+86）${m}`, `(86) ${m}`, `+86 ${g('.')}`, `0086 ${g('-')}`, `${m.slice(0, 3)} ${m.slice(3)}`, wideDigits(g('\u3000'))][f];
    // 3-8 is read only after a phone word (a count before a date looks the same).
    const tpl = f === 8 ? pick(['手机：{v}', 'Tel {v}', '联系电话{v}，工作日', 'call {v} after 6']) : pick(['手机：{v}', 'Tel {v}', '联系电话{v}，工作日', 'call {v} after 6', '{v}', '收件人 王五 {v} 北京']);
    pos(tpl, [{ kind: 'phone', value: shown }], `mobile grouped form ${f}`);
  }
  // Pasted tables: columns two or three spaces apart, numbers inside a cell one space apart.
  for (let i = 0; i < 20; i++) {
    const m = mobile();
    const p = `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
    const v = cut(id18(), [6, 8, 4], ' ');
    const gap = pick(['  ', '   ']);
    const y = int(2019, 2025);
    lines.push({ text: [`${int(1, 99)}`, `王${pick(['芳', '伟', '磊'])}`, v, p, `${y}-${int(10, 12)}-${int(10, 28)}`].join(gap), pii: [{ kind: 'id_card', value: v }, { kind: 'phone', value: p }], note: 'table row, columns wider apart than groups' });
  }
  for (let i = 0; i < 15; i++) {
    const local = `${pick(NAMES)}${int(1, 99)}`;
    const d = pick(DOMAINS);
    const shown = i % 3 === 0 ? `${local}\uff20${d}` : i % 3 === 1 ? `${local} @ ${d}` : `${local} @${d}`;
    pos(pick(['邮箱：{v}', 'email: {v}', '发到{v}谢谢']), [{ kind: 'email', value: shown }], 'email full-width or spaced @');
  }

  // ---------- hard negatives that look grouped ----------
  for (let i = 0; i < 30; i++) neg(pick(ID_TPL).replace('{v}', shape(badCheckId(), i)), 'id18 grouped, bad check character');
  for (let i = 0; i < 20; i++) neg(pick(ID_TPL).replace('{v}', shape(badDateId(), i)), 'id18 grouped, bad birth date');
  for (let i = 0; i < 10; i++) neg(pick(['身份证 {v}', 'ID {v}']).replace('{v}', cut(id18().slice(0, 17), [6, 8, 3], ' ')), 'id grouped, 17 digits');
  for (let i = 0; i < 10; i++) neg(`记录 ${cut(badCheckId(), [6, 8, 4], ' ')} ${pick(['138 1234 5678', '2024 1101', '12 34 56'])}`, 'bad id then another number in one run');
  // Table rows: 7–9 small groups with a valid ID's digits in the middle; no one number is that long.
  for (let i = 0; i < 25; i++) {
    const inner = cut(id18().slice(0, 17) + '0', [4, 4, 4, 4, 2], ' ').split(' ');
    const v = id18();
    const hidden = i % 2 ? cut(v, [4, 4, 4, 4, 2], ' ') : inner.join(' ');
    neg(`${pad4(int)} ${pad4(int)} ${hidden} ${pad4(int)}${i % 3 ? ' ' + pad4(int) : ''}`, 'table row of small groups');
  }
  for (let i = 0; i < 20; i++) {
    const y = int(2019, 2025);
    neg(pick([`${y} ${int(1001, 1231)} ${int(1000, 2359)} ${int(10, 99)}`, `${y} 11 01 12 30 45`, `${y}.${int(10, 12)}.${int(10, 28)} 09:30`, `时间戳 ${y} ${int(1001, 1231)} ${int(1000, 2359)} ${int(10, 59)}`, `${y}-${int(10, 12)}-${int(10, 28)} ${int(10, 23)}:${int(10, 59)}:${int(10, 59)}`]), 'grouped date/time');
  }
  for (let i = 0; i < 15; i++) neg(pick([`金额 ${int(1, 9)} ${int(100, 999)} ${int(100, 999)}.${int(10, 99)} 元`, `¥ ${int(10, 99)} ${int(100, 999)} ${int(100, 999)} ${int(100, 999)}`, `total ${int(1, 9)},${int(100, 999)},${int(100, 999)}.00`]), 'grouped amount');
  for (let i = 0; i < 25; i++) {
    const m = mobile();
    const v = pick([m, `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`, `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`]);
    neg(pick(['订单号：{v}', '单号 {v} 已签收', '发票号码 {v}', 'order #{v}', '运单号{v}', 'invoice no. {v}']).replace('{v}', v), 'phone-shaped number after an order word');
  }
  for (let i = 0; i < 20; i++) {
    const valid = i % 2 === 1;
    const c = valid ? card() : withoutLuhn('62' + digits(14));
    const tpl = valid ? pick(['订单号 {v}', 'tracking {v}', '流水号：{v}']) : pick(['参考值 {v}', 'checksum {v}', '测量值：{v}']);
    neg(tpl.replace('{v}', c.replace(/(\d{4})(?=\d)/g, '$1 ')), valid ? 'grouped Luhn-valid number after an order word' : 'grouped 16 digits, Luhn fails, no keyword');
  }
  for (let i = 0; i < 10; i++) {
    const d17 = pick(['990105', '000000', '110000']) + h.birth() + digits(3);
    neg(`证件号 ${cut(d17 + idCheck(d17), [6, 8, 4], ' ')}`, 'id18 grouped, implausible region');
  }
  for (let i = 0; i < 15; i++) {
    const y = int(2019, 2025);
    neg(pick([`数量 ${int(130, 199)} ${y}${int(10, 12)}${int(10, 28)}`, `库存 ${int(130, 199)} ${y}${int(10, 12)}${int(10, 28)} 入库`, `${int(130, 199)} ${y}${int(10, 12)}${int(10, 28)} 批次`]), 'count then an 8-digit date (3-8 like a mobile)');
  }
  for (let i = 0; i < 10; i++) neg(pick(['see issue @ github.com', 'meet @ 10.30', 'ping me @ alice.smith', 'price @ 3.99']), 'spaced @ that is prose');
  return lines;
}

const pad4 = (int) => String(int(0, 9999)).padStart(4, '0');

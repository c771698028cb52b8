// Writes src/core/guard/testdata/pii-corpus.jsonl: labelled PII positives in Chinese and English sentences
// and hard negatives (timestamps, order numbers, dates, near-miss IDs and cards). Deterministic: the same
// seed gives the same file, so the corpus test's figures only move when the detectors do.
// Labels come from how each value was built (valid checksums by construction), never from the detector.
// Run: node scripts/genPiiCorpus.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupedLines } from './genPiiGrouped.mjs';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src/core/guard/testdata/pii-corpus.jsonl');

let seed = 20240611;
function rnd() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
  return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rnd() * a.length)];
const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
const pad = (v, n) => String(v).padStart(n, '0');

// ---------- checksums (independent of src/shared/piiValidators.ts on purpose) ----------

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCheck = (d17) => '10X98765432'[[...d17].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];
function luhnSum(s) {
  let sum = 0;
  [...s].reverse().forEach((c, i) => {
    let v = Number(c);
    if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
  });
  return sum % 10;
}
const luhnOk = (s) => luhnSum(s) === 0;
function withLuhn(body) {
  for (let d = 0; d <= 9; d++) if (luhnOk(body + d)) return body + d;
  throw new Error('unreachable');
}
function withoutLuhn(body) {
  const s = withLuhn(body);
  return s.slice(0, -1) + ((Number(s.at(-1)) + int(1, 9)) % 10);
}

const wide = (s) => s.replace(/[0-9+\-xX ]/g, (c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
const group4 = (s, sep) => s.replace(/(\d{4})(?=\d)/g, `$1${sep}`);

// ---------- positives ----------

const REGIONS = ['110105', '110108', '310104', '310115', '440305', '440106', '510107', '330106', '320102', '420106', '610113', '370202', '210102', '500103', '120101', '350203', '430104', '530102', '230103', '450102', '620102', '650102', '360102', '130102', '810000', '820000', '710000'];
function birth(lo = 1950, hi = 2010) {
  const y = int(lo, hi);
  const m = int(1, 12);
  const d = int(1, [31, y % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]);
  return `${y}${pad(m, 2)}${pad(d, 2)}`;
}
function id18() {
  const d17 = pick(REGIONS) + birth() + digits(3);
  return d17 + idCheck(d17);
}
function id18x() {
  for (;;) {
    const v = id18();
    if (v.endsWith('X')) return v;
  }
}
const id15 = () => pick(REGIONS.slice(0, 24)) + birth(1930, 1999).slice(2) + digits(3);

const card = () => {
  const k = rnd();
  if (k < 0.35) return withLuhn('62' + digits(14));
  if (k < 0.6) return withLuhn('62' + digits(16)); // 19-digit UnionPay
  if (k < 0.8) return withLuhn('4' + digits(14));
  return withLuhn(pick(['51', '52', '53', '54', '55']) + digits(13));
};
const mobile = () => '1' + pick(['3', '4', '5', '6', '7', '8', '9']) + digits(9);

const NAMES = ['zhang.san', 'li_si', 'wangwu88', 'chen.jing', 'alice', 'bob.smith', 'j.doe+news', 'liu-yang', 'mary.o', 'zhao.lei2020', 'hr', 'support.team'];
const DOMAINS = ['example.com', 'qq.com', '163.com', 'corp.example.cn', 'mail.example.org', 'gmail.com', 'example.co.uk', 'sina.com.cn'];

const ID_CTX = ['身份证号：{v}，请核对。', '申请人身份证号码为{v}。', 'Patient ID number: {v}, admitted on Monday.', '我的身份证是 {v} ，麻烦登记一下', '证件号码 {v}（居民身份证）', 'Please verify ID {v} before approval.', '客户张伟，身份证{v}，住址北京市朝阳区。', '{v} 是他的身份证号'];
const CARD_CTX = ['请把款项打到 {v}，开户行招商银行。', 'Refund to the card {v} please.', '收款信息：{v}（工商银行 王芳）', 'Payment method: Visa {v}, exp 09/27.', '我的卡是{v}，转账后告诉我', 'billing on {v} failed twice', '用 {v} 付的款'];
const CARD_KW = ['卡号：{v}', '银行卡 {v}', '账号：{v}，户名李雷', '帐号{v}', 'card no. {v}', 'Card number: {v}', 'acct {v}'];
const PHONE_CTX = ['联系电话：{v}，工作日可打。', '有问题请拨打{v}找小王。', 'Call me at {v} after 6pm.', '手机 {v}', '收件人：李娜 {v} 上海市徐汇区', 'WhatsApp/WeChat: {v}', '他的号码是{v}吗？'];
const EMAIL_CTX = ['邮箱：{v}', 'Send the report to {v}.', '请发邮件至{v}，抄送主管。', 'contact: {v} (HR)', '简历投递 {v}'];

const lines = [];
const posLine = (tpl, kind, value, note) => lines.push({ text: tpl.replace('{v}', value), pii: [{ kind, value }], note });

for (let i = 0; i < 130; i++) {
  const v = i % 6 === 0 ? id18x() : id18();
  const form = i % 10;
  const shown = form === 7 ? wide(v) : form === 8 && v.endsWith('X') ? v.toLowerCase() : i % 6 === 0 && form % 2 ? v.toLowerCase() : v;
  posLine(pick(ID_CTX), 'id_card', shown, form === 7 ? 'id18 full-width' : shown !== v ? 'id18 lowercase x' : 'id18');
}
for (let i = 0; i < 40; i++) {
  const v = id15();
  posLine(pick(ID_CTX), 'id_card', i % 8 === 0 ? wide(v) : v, 'id15 legacy');
}
for (let i = 0; i < 150; i++) {
  const v = card();
  const f = i % 6;
  const shown = f === 1 ? group4(v, ' ') : f === 2 ? group4(v, '-') : f === 3 ? wide(v) : f === 4 ? wide(group4(v, ' ')) : v;
  posLine(pick(CARD_CTX), 'bank_card', shown, `card ${v.length} digits${f ? ' form ' + f : ''}`);
}
for (let i = 0; i < 45; i++) {
  const v = withoutLuhn(pick(['62', '4', '6217', '9558', '1']) + digits(int(12, 17)));
  if (v.length < 13 || v.length > 19) continue;
  posLine(pick(CARD_KW), 'bank_card', i % 3 === 1 ? group4(v, ' ') : v, 'card after keyword, Luhn fails');
}
for (let i = 0; i < 170; i++) {
  const m = mobile();
  const f = i % 11;
  const s = `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
  const shown = [m, s, s.replaceAll(' ', '-'), `+86${m}`, `+86 ${m}`, `+86 ${s}`, `+86-${s.replaceAll(' ', '-')}`, `0086${m}`, `86-${m}`, wide(m), wide(`+86 ${s}`)][f];
  posLine(pick(PHONE_CTX), 'phone', shown, `mobile form ${f}`);
}
for (let i = 0; i < 100; i++) posLine(pick(EMAIL_CTX), 'email', `${pick(NAMES)}${i % 3 ? int(1, 99) : ''}@${pick(DOMAINS)}`, 'email');
// Forms seen in chat logs: glued to Chinese, after "tel:", inside brackets, (+86) before the number.
for (let i = 0; i < 20; i++) {
  const m = mobile();
  const tpl = pick(['打{v}找我', 'tel:{v}', '【联系方式】{v}', '电话{v}', '手机号码:{v};']);
  // A bracketed country code belongs to the number: masking must not leave "(+86) [PHONE_1]".
  posLine(tpl, 'phone', tpl === 'tel:{v}' && i % 2 ? `+86${m}` : tpl === '电话{v}' ? `(+86) ${m}` : m, 'mobile in chat formatting');
}
// Several kinds in one line.
for (let i = 0; i < 40; i++) {
  const id = id18();
  const m = mobile();
  const e = `${pick(NAMES)}@${pick(DOMAINS)}`;
  const c = card();
  lines.push({
    text: `客户资料：身份证 ${id}，手机 ${m}，邮箱 ${e}，卡号 ${group4(c, ' ')}。`,
    pii: [
      { kind: 'id_card', value: id },
      { kind: 'phone', value: m },
      { kind: 'email', value: e },
      { kind: 'bank_card', value: group4(c, ' ') },
    ],
    note: 'mixed record',
  });
}

// ---------- hard negatives ----------

const neg = (text, note) => lines.push({ text, pii: [], note });
function badCheckId() {
  const v = id18();
  const right = v.at(-1);
  const wrong = pick([...'0123456789X'].filter((c) => c !== right));
  return v.slice(0, 17) + wrong;
}
function badDateId() {
  const d = pick(['19900230', '19991301', '20010229', '19850431', '18991231', '20990101', '19700000']);
  const d17 = pick(REGIONS) + d + digits(3);
  return d17 + idCheck(d17);
}

for (let i = 0; i < 40; i++) neg(pick(['ts={v}', 'createdAt: {v}', '"timestamp": {v},', '日志时间戳 {v} ms', 'Date.now() returned {v}']).replace('{v}', withLuhn(pick(['15', '16', '17', '18']) + digits(10))), 'ms timestamp (Luhn-valid)');
for (let i = 0; i < 20; i++) neg(`epoch ${int(1500000000, 1800000000)} s, 第${int(1, 99)}批`, 'second timestamp');
for (let i = 0; i < 50; i++) neg(pick(['订单号：{v}', '订单编号 {v} 已发货', 'order #{v} shipped', 'Order No. {v}', '运单号 {v}', '快递单号{v}', '流水号：{v}']).replace('{v}', i % 2 ? withLuhn('62' + digits(int(12, 16))) : withLuhn(pick(['4', '5']) + digits(14))), 'order/tracking number (Luhn-valid)');
for (let i = 0; i < 30; i++) neg(pick(['订单号 {v}', 'order id {v}']).replace('{v}', birth(2019, 2025) + digits(int(6, 10))), 'date-prefixed order number');
for (let i = 0; i < 30; i++) {
  const d = birth(1990, 2025);
  neg(pick([`日期 ${d}`, `报表截止 ${d} 23:59`, `备份文件 backup_${d}.tar.gz`, `${d}${pad(int(0, 23), 2)}${pad(int(0, 59), 2)}${pad(int(0, 59), 2)} 开始执行`, `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)} 10:00`]), 'date');
}
for (let i = 0; i < 25; i++) neg(pick(['发票号码 {v}', 'Invoice {v} is overdue', '发票代码{v}']).replace('{v}', pad(int(0, 9999), 4) + digits(int(8, 16))), 'invoice number');
for (let i = 0; i < 35; i++) neg(pick(['电话 {v}', 'call {v}', '编码{v}', 'id {v}']).replace('{v}', '1' + pick(['0', '1', '2']) + digits(9)), '11-digit wrong mobile prefix');
for (let i = 0; i < 15; i++) neg(`号码 ${mobile().slice(0, 10)} 少一位`, '10 digits');
for (let i = 0; i < 40; i++) neg(pick(['身份证号 {v}（校验位错误）', 'ID {v} rejected', '证件号{v}']).replace('{v}', badCheckId()), 'id18 bad check digit');
for (let i = 0; i < 25; i++) neg(pick(['身份证号 {v}', 'ID {v}']).replace('{v}', badDateId()), 'id18 bad date');
for (let i = 0; i < 10; i++) {
  const d17 = pick(['990105', '000000', '110000', '310000']) + birth() + digits(3);
  neg(`证件号 ${d17 + idCheck(d17)}`, 'id18 implausible region');
}
for (let i = 0; i < 30; i++) neg(pick(['序列 {v}', 'trace {v} end', 'blob:{v}']).replace('{v}', digits(int(1, 3)).replace(/^0/, '7') + id18() + digits(int(1, 3))), 'ID inside a longer digit run (20+ digits)');
for (let i = 0; i < 40; i++) neg(pick(['参考值 {v}', 'checksum {v} mismatch', '测量结果：{v}', 'value={v}']).replace('{v}', withoutLuhn(pick(['4', '5', '6']) + digits(14))), '16 digits, Luhn fails, no keyword');
for (let i = 0; i < 20; i++) neg(pick([`version ${int(1, 20)}.${int(0, 99)}.${int(100000000, 999999999)}`, `v${int(1, 9)}.${digits(11)}`, `build 1.13.${digits(8)}`]), 'version string');
for (let i = 0; i < 20; i++) neg(`服务器 ${int(10, 223)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}:${int(1024, 65535)}`, 'IP address');
for (let i = 0; i < 25; i++) neg(pick([`总价 ¥${int(1000, 99999)}.${pad(int(0, 99), 2)}`, `price $${int(1, 9999)}.99`, `营收 ${int(1, 999)},${pad(int(0, 999), 3)},${pad(int(0, 999), 3)} 元`, `金额 ${mobile()}.${pad(int(0, 99), 2)} 元`]), 'price');
for (let i = 0; i < 15; i++) neg(pick(['uuid 550e8400-e29b-41d4-a716-446655440000', `sha ${digits(8)}a${digits(30)}`, `key_${mobile()}`, `user${mobile()}`, `SF${digits(13)} 顺丰`]), 'identifier with digits');
// Traps next to a card keyword: a timestamp, or a keyword that belongs to another field.
for (let i = 0; i < 20; i++) neg(pick(['账号创建于 {v}', 'card issued at {v}', '卡号更新时间：{v}']).replace('{v}', String(int(1_500_000_000_000, 1_999_999_999_999))), 'ms timestamp after a card keyword');
for (let i = 0; i < 20; i++) neg(pick(['{"orderId":"{v}"}', '{"invoice_no": "{v}"}', 'trace id {v}']).replace('{v}', card()), 'Luhn-valid number labelled as another field');
for (let i = 0; i < 10; i++) neg(pick(['ping @alice', 'npm i pkg@1.2.3', 'root@localhost', 'a@b', '邮箱格式 name@ 不完整']), 'not an email');

for (const l of groupedLines({ int, pick, digits, id18, id15, badCheckId, badDateId, card, mobile, withLuhn, withoutLuhn, idCheck, birth, REGIONS, NAMES, DOMAINS, wide })) lines.push(l);

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
const pos = lines.reduce((n, l) => n + l.pii.length, 0);
console.log(`${OUT}: ${lines.length} lines, ${pos} positives, ${lines.filter((l) => l.pii.length === 0).length} negative lines`);

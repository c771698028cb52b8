// A generated corpus for the image guard (deterministic by seed): lines of "label value" rendered by sharp
// (pango) in several fonts and sizes, dark on light and light on dark, rotated up to ±3°, saved as JPEG at
// quality 40–80. Each value's box in the final image is known, so a bench can say which were painted over.
// Personal values are valid (ID check character, Luhn); hard negatives look like them and are not.
import sharp from 'sharp';
import { Mulberry32 } from '../../shared/prng';
import { idCheckChar } from '../../shared/piiValidators';
import type { Box } from './ocr';

export type ItemKind = 'id_card' | 'bank_card' | 'phone' | 'email' | 'order_no' | 'invoice_no' | 'date' | 'amount' | 'digits18' | 'digits16';
export const PERSONAL: readonly ItemKind[] = ['id_card', 'bank_card', 'phone', 'email'];

export interface CorpusItem {
  kind: ItemKind;
  personal: boolean;
  /** The value as rendered (never logged by the bench, only compared). */
  value: string;
  box: Box;
}

export interface CorpusImage {
  name: string;
  data: Buffer;
  items: CorpusItem[];
}

const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'Liberation Sans', 'Liberation Serif', 'Liberation Mono', 'Liberation Sans Narrow', 'DejaVu Sans Condensed'];
const PROVINCE = [11, 31, 32, 33, 37, 44, 51, 61];

class Gen {
  private readonly r: Mulberry32;
  constructor(seed: number) {
    this.r = new Mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)] as T;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  real(): number {
    return this.r.next();
  }
  chance(p: number): boolean {
    return this.r.next() < p;
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const group = (s: string, sizes: readonly number[]) => {
  const out: string[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= s.length) break;
    out.push(s.slice(at, at + n));
    at += n;
  }
  if (at < s.length) out.push(s.slice(at));
  return out.join(' ');
};

function idNumber(g: Gen): string {
  const body = `${g.pick(PROVINCE)}${pad(g.int(1, 20), 2)}${pad(g.int(1, 30), 2)}${g.int(1950, 2005)}${pad(g.int(1, 12), 2)}${pad(g.int(1, 28), 2)}${g.digits(3)}`;
  return body + idCheckChar(body, 0);
}

/** One "label value" line of the given kind. */
function line(g: Gen, kind: ItemKind): { label: string; value: string } {
  switch (kind) {
    case 'id_card':
      return { label: g.pick(['ID:', 'ID No.', 'Identity', 'Resident ID', '']), value: idNumber(g) };
    case 'bank_card': {
      const len = g.pick([16, 16, 19]);
      const body = g.pick(['622202', '621700', '436742', '524047', '625807']) + g.digits(len - 7);
      const v = body + luhnDigit(body);
      return { label: g.pick(['Card:', 'Card No.', 'Account', 'Pay with', '']), value: g.chance(0.6) ? group(v, [4, 4, 4, 4]) : v };
    }
    case 'phone': {
      const v = `1${g.pick(['3', '5', '7', '8', '9'])}${g.digits(9)}`;
      const shown = g.chance(0.3) ? group(v, [3, 4, 4]) : g.chance(0.3) ? `+86 ${v}` : v;
      return { label: g.pick(['Tel:', 'Mobile', 'Phone:', 'Contact', '']), value: shown };
    }
    case 'email': {
      const user = g.pick(['zhang.wei', 'li_na', 'wangfang88', 'chen.jie', 'liu.yang2024', 'j.smith']);
      return { label: g.pick(['Email:', 'E-mail', 'Mail to', '']), value: `${user}@${g.pick(['qq.com', '163.com', 'example.cn', 'corp.com.cn'])}` };
    }
    case 'order_no':
      return { label: g.pick(['Order No.', 'Order', 'Tracking No.']), value: `${g.int(2019, 2025)}${pad(g.int(1, 12), 2)}${pad(g.int(1, 28), 2)}${g.digits(g.int(6, 10))}` };
    case 'invoice_no':
      return { label: g.pick(['Invoice No.', 'Invoice', 'Serial No.']), value: g.chance(0.5) ? g.digits(8) : `${g.digits(12)} ${g.digits(8)}` };
    case 'date':
      return { label: g.pick(['Date:', 'Issued', 'Due']), value: `${g.int(2019, 2026)}-${pad(g.int(1, 12), 2)}-${pad(g.int(1, 28), 2)}` };
    case 'amount':
      return { label: g.pick(['Total', 'Amount', 'Tax']), value: `${g.pick(['¥', 'CNY ', '$'])}${g.int(1, 999)},${pad(g.int(0, 999), 3)}.${pad(g.int(0, 99), 2)}` };
    case 'digits18': {
      // Region 90–99 is no province, and the last digit is chosen so that Luhn fails too.
      const body = `9${g.digits(16)}`;
      return { label: g.pick(['Batch', 'Code', 'Lot']), value: body + String((Number(luhnDigit(body)) + 1) % 10) };
    }
    case 'digits16': {
      const body = `6${g.digits(14)}`;
      return { label: g.pick(['Code', 'Ref', 'SKU']), value: body + String((Number(luhnDigit(body)) + 1 + g.int(0, 8)) % 10) };
    }
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function renderText(text: string, font: string, color: string): Promise<{ data: Buffer; w: number; h: number }> {
  const { data, info } = await sharp({ text: { text: `<span foreground="${color}">${esc(text)}</span>`, font, dpi: 72, rgba: true } })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { data, w: info.width, h: info.height };
}

/** The axis-aligned box of `b` after sharp's rotate(angle) of a w×h canvas (clockwise, canvas grows). */
export function rotateBox(b: Box, w: number, h: number, deg: number): Box {
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const W = Math.abs(w * c) + Math.abs(h * s);
  const H = Math.abs(w * s) + Math.abs(h * c);
  const pts = [
    [b.x, b.y],
    [b.x + b.w, b.y],
    [b.x, b.y + b.h],
    [b.x + b.w, b.y + b.h],
  ].map(([x, y]) => {
    const dx = (x as number) - w / 2;
    const dy = (y as number) - h / 2;
    return [dx * c - dy * s + W / 2, dx * s + dy * c + H / 2] as const;
  });
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
}

const KINDS: readonly ItemKind[] = ['id_card', 'bank_card', 'phone', 'email', 'order_no', 'invoice_no', 'date', 'amount', 'digits18', 'digits16'];

/** Image `index` of the corpus for `seed`: 2–4 lines, at least one personal value and one hard negative. */
export async function corpusImage(seed: number, index: number): Promise<CorpusImage> {
  const g = new Gen(seed * 100_003 + index);
  const font = g.pick(FONTS);
  const size = g.int(11, 26);
  const dark = g.chance(0.3);
  const fg = dark ? g.pick(['#ffffff', '#e8e8e8', '#f0e68c']) : g.pick(['#000000', '#222222', '#1a237e', '#444444']);
  const bg = dark ? g.pick(['#202020', '#0d47a1', '#37474f']) : g.pick(['#ffffff', '#f5f5f0', '#fff8e1', '#e3f2fd']);
  const kinds: ItemKind[] = [g.pick(PERSONAL), g.pick(KINDS.slice(4))];
  for (let n = g.int(0, 2); n > 0; n--) kinds.push(g.pick(KINDS));
  const margin = g.int(10, 40);
  const gapY = Math.round(size * g.int(6, 12) / 10);
  const pieces: { input: Buffer; left: number; top: number }[] = [];
  const items: CorpusItem[] = [];
  let y = margin;
  let width = 0;
  for (const kind of kinds) {
    const { label, value } = line(g, kind);
    const fontSpec = `${font} ${size}`;
    let x = margin;
    if (label) {
      const l = await renderText(label, fontSpec, fg);
      pieces.push({ input: l.data, left: x, top: y });
      x += l.w + Math.round(size * 0.6);
    }
    const v = await renderText(value, fontSpec, fg);
    pieces.push({ input: v.data, left: x, top: y });
    items.push({ kind, personal: PERSONAL.includes(kind), value, box: { x, y, w: v.w, h: v.h } });
    width = Math.max(width, x + v.w);
    y += v.h + gapY;
  }
  const W = width + margin;
  const H = y - gapY + margin;
  const angle = g.chance(0.6) ? (g.real() * 6 - 3) : 0;
  let img = sharp({ create: { width: W, height: H, channels: 3, background: bg } }).composite(pieces);
  if (angle !== 0) img = sharp(await img.png().toBuffer()).rotate(angle, { background: bg });
  const data = await img.jpeg({ quality: g.int(40, 80) }).toBuffer();
  if (angle !== 0) for (const it of items) it.box = rotateBox(it.box, W, H, angle);
  return { name: `corpus-${seed}-${index}.jpg`, data, items };
}

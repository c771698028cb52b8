// Masking for egress: PII in a prompt becomes a stable placeholder ("[ID_1]") before it leaves the machine,
// and the reply is unmasked locally. The raw values live only in a masker's mapping; findings carry a
// partly hidden form for display and audit.
import type { PiiRule } from './guard.schema';
import { findPii, type PiiKind } from './pii';
import { narrow } from './piiValidators';

export interface CompiledPiiRule {
  name: string;
  regex: RegExp;
}

export interface EgressFinding {
  /** id_card, bank_card, phone, email, or a custom rule's NAME. */
  kind: string;
  start: number;
  end: number;
  placeholder: string;
  redacted: string;
}

const PREFIX: Record<PiiKind, string> = { id_card: 'ID', bank_card: 'CARD', phone: 'PHONE', email: 'EMAIL' };

/** Compiles user rules; throws an Error naming the rule (`customRules[2] EMPLOYEE_NO: …`) when one is bad. */
export function compilePiiRules(rules: readonly PiiRule[]): CompiledPiiRule[] {
  return rules.map((r, i) => {
    const where = `customRules[${i}] ${r.name}`;
    let regex: RegExp;
    try {
      regex = new RegExp(r.pattern, 'g' + [...new Set(r.flags.replace(/g/g, ''))].join(''));
    } catch (e) {
      throw new Error(`${where}: the pattern is not a valid regular expression (${(e as Error).message})`);
    }
    // An empty match would mask nothing and loop forever on naive scanners; refuse it up front.
    regex.lastIndex = 0;
    if (regex.test('')) throw new Error(`${where}: the pattern matches the empty string`);
    regex.lastIndex = 0;
    return { name: r.name, regex };
  });
}

interface Span {
  kind: string;
  prefix: string;
  start: number;
  end: number;
}

/** Keeps the first `head` and last `tail` letters/digits of `s`, starring the rest, dropping separators. */
function keepEnds(s: string, head: number, tail: number, separators = /[\s-]/g): string {
  const chars = [...s.replace(separators, '')];
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

/** Whatever the user grouped an ID or card number with (spaces, dots, dashes) is not shown. */
const NOT_ID_CHAR = /[^0-9Xx]/g;

/** A display form that shows enough to recognise the value and not enough to use it. */
export function redact(kind: string, raw: string): string {
  const s = narrow(raw);
  switch (kind) {
    case 'id_card':
      return keepEnds(s, 4, 2, NOT_ID_CHAR);
    case 'bank_card':
      return keepEnds(s, 4, 4, NOT_ID_CHAR);
    case 'phone': {
      const d = s.replace(/\D/g, '');
      const cn = /^(?:0086|86)(1\d{10})$/.exec(d);
      if (cn) return '+86 ' + keepEnds(cn[1] as string, 3, 4);
      if (d.length === 11 && !s.startsWith('+')) return keepEnds(d, 3, 4);
      return (s.startsWith('+') ? '+' : '') + keepEnds(d, 2, 2);
    }
    case 'email': {
      const at = s.lastIndexOf('@');
      return [...s.slice(0, at)][0] + '***' + s.slice(at);
    }
    default: {
      const n = [...s].length;
      return n <= 4 ? '*'.repeat(n) : keepEnds(s, 1, 1);
    }
  }
}

/** Masks texts of one request; the same value gets the same placeholder across all texts masked by it. */
export class PiiMasker {
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  /** Found values by their first REPEAT_HEAD characters, for masking their other copies. */
  private readonly repeatIndex = new Map<string, { raw: string; kind: string; prefix: string }[]>();
  private readonly indexed = new Set<string>();
  private readonly firstChars = new Set<number>();
  private readonly next = new Map<string, number>();
  private readonly perKind: Record<string, number> = {};

  constructor(readonly rules: readonly CompiledPiiRule[] = []) {}

  /** Finds PII in text (offsets into text) and returns the text with placeholders. */
  mask(text: string): { text: string; findings: EgressFinding[] } {
    const spans = this.spans(text);
    if (spans.length === 0) return { text, findings: [] };
    const findings: EgressFinding[] = [];
    let out = '';
    let last = 0;
    for (const sp of spans) {
      const raw = text.slice(sp.start, sp.end);
      const placeholder = this.placeholder(sp.prefix, raw);
      findings.push({ kind: sp.kind, start: sp.start, end: sp.end, placeholder, redacted: redact(sp.kind, raw) });
      this.perKind[sp.kind] = (this.perKind[sp.kind] ?? 0) + 1;
      out += text.slice(last, sp.start) + placeholder;
      last = sp.end;
    }
    return { text: out + text.slice(last), findings };
  }

  /** Placeholder → raw value, for unmasking the reply locally. */
  get mapping(): ReadonlyMap<string, string> {
    return this.byPlaceholder;
  }

  /** Findings per kind over every mask() call so far. */
  counts(): Record<string, number> {
    return { ...this.perKind };
  }

  private placeholder(prefix: string, raw: string): string {
    const key = prefix + '\u0000' + raw;
    let ph = this.byValue.get(key);
    if (ph === undefined) {
      const n = (this.next.get(prefix) ?? 0) + 1;
      this.next.set(prefix, n);
      ph = `[${prefix}_${n}]`;
      this.byValue.set(key, ph);
      this.byPlaceholder.set(ph, raw);
    }
    return ph;
  }

  /** Built-in findings, then custom matches that overlap neither a built-in one nor an earlier custom one. */
  private spans(text: string): Span[] {
    return this.withRepeats(text, this.detected(text));
  }

  /**
   * A value found once is masked wherever else it appears in the request, even where the detectors would
   * not flag it on their own (e.g. a card number after "ref"): one masked copy must not sit beside a raw one.
   */
  private withRepeats(text: string, spans: Span[]): Span[] {
    for (const sp of spans) this.index(text.slice(sp.start, sp.end), sp);
    if (this.repeatIndex.size === 0) return spans;
    const taken = spans.slice();
    let added = false;
    // One pass over the text with a lookup by the first four characters: linear however many values the
    // masker has seen (a whole file masked line by line through one masker sees thousands).
    for (let at = 0; at + REPEAT_HEAD <= text.length; at++) {
      const code = text.charCodeAt(at);
      // Cheap rejections first: no value starts with this character, or it is inside a longer word/number.
      if (!this.firstChars.has(code) || (isWordy(code) && isWordy(text.charCodeAt(at - 1)))) continue;
      const candidates = this.repeatIndex.get(text.slice(at, at + REPEAT_HEAD));
      if (!candidates) continue;
      for (const c of candidates) {
        if (!text.startsWith(c.raw, at)) continue;
        const end = at + c.raw.length;
        // Not part of a longer number or word (the start was checked above).
        if (isWordy(text.charCodeAt(end)) && isWordy(text.charCodeAt(end - 1))) continue;
        if (taken.some((t) => at < t.end && end > t.start)) continue;
        taken.push({ kind: c.kind, prefix: c.prefix, start: at, end });
        added = true;
      }
    }
    return added ? taken.sort((x, y) => x.start - y.start) : spans;
  }

  /** Remembers a found value so its other copies are masked too (values shorter than the lookup head are not). */
  private index(raw: string, like: Pick<Span, 'kind' | 'prefix'>): void {
    if (raw.length < REPEAT_HEAD || this.indexed.has(raw)) return;
    this.indexed.add(raw);
    this.firstChars.add(raw.charCodeAt(0));
    const head = raw.slice(0, REPEAT_HEAD);
    const list = this.repeatIndex.get(head);
    const entry = { raw, kind: like.kind, prefix: like.prefix };
    if (list) list.push(entry);
    else this.repeatIndex.set(head, [entry]);
  }


  private detected(text: string): Span[] {
    const spans: Span[] = findPii(text).map((m) => ({ kind: m.kind, prefix: PREFIX[m.kind], start: m.start, end: m.end }));
    if (this.rules.length === 0) return spans;
    const custom: Span[] = [];
    for (const r of this.rules) {
      const re = r.regex;
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        custom.push({ kind: r.name, prefix: r.name, start: m.index, end: m.index + m[0].length });
      }
    }
    if (custom.length === 0) return spans;
    // Earliest first, the longer one on a tie; rule order breaks the rest (sort is stable).
    custom.sort((a, b) => a.start - b.start || b.end - a.end);
    const taken = spans.slice();
    const overlaps = (s: Span): boolean => taken.some((t) => s.start < t.end && s.end > t.start);
    for (const c of custom) if (!overlaps(c)) taken.push(c);
    return taken.sort((a, b) => a.start - b.start);
  }
}

const REPEAT_HEAD = 4;

/** ASCII letters and digits, full-width digits: a match glued to these is part of something longer. */
function isWordy(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xff10 && c <= 0xff19);
}

const PLACEHOLDER = /\[[A-Z][A-Z0-9_]*_\d+\]/g;

/** Replaces known placeholders in text with their raw values. */
export function unmaskText(text: string, mapping: ReadonlyMap<string, string>): string {
  if (mapping.size === 0 || !text.includes('[')) return text;
  return text.replace(PLACEHOLDER, (ph) => mapping.get(ph) ?? ph);
}

/** Unmasks a streamed reply: holds back a trailing partial placeholder until the next delta shows what it is. */
export class StreamUnmasker {
  private pending = '';

  constructor(readonly mapping: ReadonlyMap<string, string>) {}

  push(delta: string): string {
    const buf = this.pending + delta;
    const hold = this.heldFrom(buf);
    this.pending = buf.slice(hold);
    return unmaskText(buf.slice(0, hold), this.mapping);
  }

  end(): string {
    const rest = unmaskText(this.pending, this.mapping);
    this.pending = '';
    return rest;
  }

  /** Where a trailing unfinished placeholder starts, or buf.length. Only a tail that a known placeholder
   *  starts with is held, so ordinary "[" text flows on. */
  private heldFrom(buf: string): number {
    const open = buf.lastIndexOf('[');
    if (open < 0 || buf.indexOf(']', open) >= 0) return buf.length;
    const tail = buf.slice(open);
    for (const k of this.mapping.keys()) if (k.length > tail.length && k.startsWith(tail)) return open;
    return buf.length;
  }
}

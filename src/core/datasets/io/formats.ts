// One parsed object (a JSON line, an array element or a CSV row) → one DatasetRecord, or the reason it cannot
// be one, naming the field or path at fault. Converters run once per row, so they avoid regexes and copies.
import type { DatasetFormat, DatasetMessage, DatasetRecord, FieldMapping, MessageRole } from '../../../shared/datasets.record';
import { cellText } from '../../io/jsonl';

export type Obj = Record<string, unknown>;
/** A record, or a string saying why the item is bad. */
export type Converted = DatasetRecord | string;
export type Converter = (o: Obj) => Converted;

class BadItem {
  constructor(readonly reason: string) {}
}

function bad(reason: string): never {
  throw new BadItem(reason);
}

function guard(convert: Converter): Converter {
  return (o) => {
    try {
      return convert(o);
    } catch (e) {
      if (e instanceof BadItem) return e.reason;
      throw e;
    }
  };
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function required(o: Obj, key: string): unknown {
  const v = o[key];
  if (v === undefined || v === null) bad(`missing field "${key}"`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') bad(`${path}: expected a string, found ${kindOf(v)}`);
  return v;
}

function optionalStr(o: Obj, key: string): string | null {
  const v = o[key];
  return v === undefined || v === null ? null : str(v, key);
}

/** A string, or OpenAI content parts of which only text parts are allowed (joined). */
function contentText(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) bad(`${path}: missing content`);
  if (!Array.isArray(v)) bad(`${path}: expected a string or a list of parts, found ${kindOf(v)}`);
  let text = '';
  for (let i = 0; i < v.length; i++) {
    const part: unknown = v[i];
    if (!isObj(part)) bad(`${path}[${i}]: expected a content part object, found ${kindOf(part)}`);
    if (part.type !== 'text') bad(`${path}[${i}]: unsupported content part type ${JSON.stringify(part.type ?? null)} (only text parts can be imported)`);
    text += str(part.text, `${path}[${i}].text`);
  }
  return text;
}

const MESSAGE_ROLES: Record<string, MessageRole> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' };
const SHAREGPT_ROLES: Record<string, MessageRole> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  model: 'assistant',
};

function role(table: Record<string, MessageRole>, v: unknown, path: string): MessageRole {
  if (typeof v !== 'string') bad(`${path}: expected a role string, found ${kindOf(v)}`);
  const r = Object.hasOwn(table, v) ? table[v] : undefined;
  if (r === undefined) bad(`${path}: unknown role ${JSON.stringify(v)}`);
  return r;
}

function openAiMessages(v: unknown, path: string): DatasetMessage[] {
  if (!Array.isArray(v)) bad(`${path}: expected a list of messages, found ${kindOf(v)}`);
  const out: DatasetMessage[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const m: unknown = v[i];
    if (!isObj(m)) bad(`${path}[${i}]: expected a message object, found ${kindOf(m)}`);
    out[i] = { role: role(MESSAGE_ROLES, m.role, `${path}[${i}].role`), content: contentText(m.content, `${path}[${i}].content`) };
  }
  return out;
}

function shareGptTurn(m: unknown, path: string): DatasetMessage {
  if (!isObj(m)) bad(`${path}: expected a {from, value} object, found ${kindOf(m)}`);
  // LLaMA-Factory lets a dataset rename the tags; role/content is the common alternative.
  const from = m.from !== undefined ? m.from : m.role;
  const value = m.value !== undefined ? m.value : m.content;
  return { role: role(SHAREGPT_ROLES, from, `${path}.from`), content: contentText(value, `${path}.value`) };
}

/** Checks the turn order: a system message only first, then at least one turn. */
function checkOrder(turns: DatasetMessage[], path: string): void {
  for (let i = 1; i < turns.length; i++) if ((turns[i] as DatasetMessage).role === 'system') bad(`${path}[${i}]: a system message must come first`);
  if (turns.length === 0 || (turns.length === 1 && turns[0]?.role === 'system')) bad(`${path}: has no user turn`);
}

/** Context and answer: a last assistant turn is the answer; the context must then end with a user turn. */
function splitAnswer(turns: DatasetMessage[], path: string, userWord = 'user'): { messages: DatasetMessage[]; response: string | null } {
  checkOrder(turns, path);
  const last = turns[turns.length - 1] as DatasetMessage;
  if (last.role !== 'assistant') return { messages: turns, response: null };
  turns.pop();
  if (turns[turns.length - 1]?.role !== 'user') bad(`${path}: must end with a ${userWord} turn before the answer`);
  return { messages: turns, response: last.content };
}

function contextOnly(turns: DatasetMessage[], path: string, userWord = 'user'): DatasetMessage[] {
  checkOrder(turns, path);
  if (turns[turns.length - 1]?.role !== 'user') bad(`${path}: must end with a ${userWord} turn (the answers are in "chosen" and "rejected")`);
  return turns;
}

function withSystem(turns: DatasetMessage[], system: string | null): DatasetMessage[] {
  if (system === null || system === '' || turns[0]?.role === 'system') return turns;
  turns.unshift({ role: 'system', content: system });
  return turns;
}

/** An answer given as text, a message object, or a list of messages whose last is the assistant's. */
function answerText(o: Obj, key: string): string {
  const v = required(o, key);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (v.length === 0) bad(`${key}: empty list`);
    const path = `${key}[${v.length - 1}]`;
    const m: unknown = v[v.length - 1];
    if (!isObj(m)) bad(`${path}: expected a message object, found ${kindOf(m)}`);
    return assistantContent(m, path);
  }
  if (isObj(v)) return assistantContent(v, key);
  return bad(`${key}: expected a string or a message, found ${kindOf(v)}`);
}

function assistantContent(m: Obj, path: string): string {
  const t = m.from !== undefined || m.value !== undefined ? shareGptTurn(m, path) : null;
  const r = t ? t.role : m.role === undefined ? 'assistant' : role(MESSAGE_ROLES, m.role, `${path}.role`);
  if (r !== 'assistant') bad(`${path}: expected the assistant's answer, found a ${r} message`);
  return t ? t.content : contentText(m.content, `${path}.content`);
}

function pair(o: Obj): { chosen: string; rejected: string } {
  return { chosen: answerText(o, 'chosen'), rejected: answerText(o, 'rejected') };
}

function hasPair(o: Obj): boolean {
  return (o.chosen !== undefined && o.chosen !== null) || (o.rejected !== undefined && o.rejected !== null);
}

export const fromMessages: Converter = guard((o) => {
  const turns = openAiMessages(required(o, 'messages'), 'messages');
  if (hasPair(o)) return { messages: contextOnly(turns, 'messages'), response: null, ...pair(o) };
  const { messages, response } = splitAnswer(turns, 'messages');
  return { messages, response, chosen: null, rejected: null };
});

export const fromAlpaca: Converter = guard((o) => {
  const instruction = str(required(o, 'instruction'), 'instruction');
  const input = optionalStr(o, 'input');
  const turns: DatasetMessage[] = [];
  const system = optionalStr(o, 'system');
  if (system) turns.push({ role: 'system', content: system });
  const history = o.history;
  if (history !== undefined && history !== null) {
    if (!Array.isArray(history)) bad(`history: expected a list of [question, answer] pairs, found ${kindOf(history)}`);
    for (let i = 0; i < history.length; i++) {
      const h: unknown = history[i];
      if (!Array.isArray(h) || h.length !== 2) bad(`history[${i}]: expected a [question, answer] pair`);
      turns.push({ role: 'user', content: str(h[0], `history[${i}][0]`) }, { role: 'assistant', content: str(h[1], `history[${i}][1]`) });
    }
  }
  turns.push({ role: 'user', content: input ? `${instruction}\n\n${input}` : instruction });
  if (hasPair(o)) return { messages: turns, response: optionalStr(o, 'output'), ...pair(o) };
  return { messages: turns, response: str(required(o, 'output'), 'output'), chosen: null, rejected: null };
});

export const fromShareGpt: Converter = guard((o) => {
  const conv = required(o, 'conversations');
  if (!Array.isArray(conv)) bad(`conversations: expected a list of turns, found ${kindOf(conv)}`);
  const turns: DatasetMessage[] = new Array(conv.length);
  for (let i = 0; i < conv.length; i++) turns[i] = shareGptTurn(conv[i], `conversations[${i}]`);
  withSystem(turns, optionalStr(o, 'system'));
  if (hasPair(o)) return { messages: contextOnly(turns, 'conversations', 'human'), response: null, ...pair(o) };
  const { messages, response } = splitAnswer(turns, 'conversations', 'human');
  return { messages, response, chosen: null, rejected: null };
});

/** Lamplight's DPO export ({messages, chosen, rejected}) or TRL's ({prompt, chosen, rejected}). */
export const fromPreference: Converter = guard((o) => {
  let turns: DatasetMessage[];
  let path = 'messages';
  if (o.messages !== undefined) turns = openAiMessages(o.messages, 'messages');
  else {
    path = 'prompt';
    const p = required(o, 'prompt');
    turns = typeof p === 'string' ? [{ role: 'user', content: p }] : openAiMessages(p, 'prompt');
  }
  withSystem(turns, optionalStr(o, 'system'));
  return { messages: contextOnly(turns, path), response: null, ...pair(o) };
});

function cell(o: Obj, key: string): string | null {
  const t = cellText(o[key]);
  return t === '' ? null : t;
}

export function fromColumns(m: FieldMapping): Converter {
  return guard((o) => {
    const prompt = cellText(o[m.prompt]);
    if (prompt === null) bad(`missing field "${m.prompt}"`);
    if (prompt === '') bad(`field "${m.prompt}" is empty`);
    const messages: DatasetMessage[] = [];
    const system = m.system === null ? null : cell(o, m.system);
    if (system !== null) messages.push({ role: 'system', content: system });
    messages.push({ role: 'user', content: prompt });
    const response = m.response === null ? null : cell(o, m.response);
    const chosen = m.chosen === null ? null : cell(o, m.chosen);
    const rejected = m.rejected === null ? null : cell(o, m.rejected);
    if ((chosen === null) !== (rejected === null)) {
      const [set, unset] = chosen === null ? [m.rejected, m.chosen] : [m.chosen, m.rejected];
      bad(`field "${unset ?? (chosen === null ? 'chosen' : 'rejected')}" is empty while "${set}" is set`);
    }
    return { messages, response, chosen, rejected };
  });
}

/** Fields that hold lists or objects: in a CSV cell they are JSON text. */
const STRUCTURED = ['messages', 'conversations', 'history', 'chosen', 'rejected', 'prompt'];

function parseCells(convert: Converter): Converter {
  return (o) => {
    const copy: Obj = { ...o };
    for (const k of STRUCTURED) {
      const v = copy[k];
      if (typeof v !== 'string') continue;
      const c = v.charCodeAt(0);
      if (c !== 91 && c !== 123) continue; // [ or {
      try {
        copy[k] = JSON.parse(v);
      } catch {
        // Kept as text: the converter says what is wrong with it.
      }
    }
    return convert(copy);
  };
}

export function converterFor(format: DatasetFormat, mapping: FieldMapping | null, fromCsv = false): Converter {
  let c: Converter;
  switch (format) {
    case 'messages':
      c = fromMessages;
      break;
    case 'alpaca':
      c = fromAlpaca;
      break;
    case 'sharegpt':
      c = fromShareGpt;
      break;
    case 'preference':
      c = fromPreference;
      break;
    case 'columns':
      if (mapping === null) throw new Error('the columns format needs a field mapping');
      return fromColumns(mapping);
  }
  return fromCsv ? parseCells(c) : c;
}

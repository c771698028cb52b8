import { describe, expect, it } from 'vitest';
import { DatasetRecord } from '../../../shared/datasets.record';
import { detectFormat, suggestMapping } from './detect';
import { fromAlpaca, fromColumns, fromMessages, fromPreference, fromShareGpt, type Converter, type Obj } from './formats';

function ok(convert: Converter, o: Obj): DatasetRecord {
  const r = convert(o);
  if (typeof r === 'string') throw new Error(`unexpected bad item: ${r}`);
  return DatasetRecord.parse(r);
}

const sys = { role: 'system', content: 'Be brief.' } as const;
const u = (content: string) => ({ role: 'user' as const, content });
const a = (content: string) => ({ role: 'assistant' as const, content });

describe('messages', () => {
  it('takes the last assistant turn as the response', () => {
    expect(ok(fromMessages, { messages: [sys, u('hi'), a('hello'), u('2+2?'), a('4')] })).toEqual({
      messages: [sys, u('hi'), a('hello'), u('2+2?')],
      response: '4',
      chosen: null,
      rejected: null,
    });
  });

  it('has no response when the conversation ends with the user, and joins text parts', () => {
    const parts = [
      { type: 'text', text: 'Hello ' },
      { type: 'text', text: 'there' },
    ];
    expect(ok(fromMessages, { messages: [{ role: 'user', content: parts }] })).toEqual({ messages: [u('Hello there')], response: null, chosen: null, rejected: null });
  });

  it('names the path at fault', () => {
    expect(fromMessages({})).toBe('missing field "messages"');
    expect(fromMessages({ messages: [u('a'), { role: 'tool', content: 'x' }] })).toBe('messages[1].role: unknown role "tool"');
    expect(fromMessages({ messages: [u('a'), a('b'), a('c')] })).toBe('messages: must end with a user turn before the answer');
    expect(fromMessages({ messages: [u('a'), sys] })).toBe('messages[1]: a system message must come first');
    expect(fromMessages({ messages: [sys] })).toBe('messages: has no user turn');
    expect(fromMessages({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] })).toBe(
      'messages[0].content[0]: unsupported content part type "image_url" (only text parts can be imported)',
    );
    expect(fromMessages({ messages: [{ role: 'user', content: 3 }] })).toBe('messages[0].content: expected a string or a list of parts, found a number');
  });
});

describe('alpaca', () => {
  it('builds system, history turns and the instruction with its input', () => {
    const r = ok(fromAlpaca, { instruction: 'Translate', input: '你好', output: 'Hello', system: 'Be brief.', history: [['q1', 'a1']] });
    expect(r).toEqual({ messages: [sys, u('q1'), a('a1'), u('Translate\n\n你好')], response: 'Hello', chosen: null, rejected: null });
  });

  it('reads a preference pair, and names missing fields', () => {
    expect(ok(fromAlpaca, { instruction: 'Q', input: '', chosen: 'good', rejected: 'bad' })).toEqual({
      messages: [u('Q')],
      response: null,
      chosen: 'good',
      rejected: 'bad',
    });
    expect(fromAlpaca({ instruction: 'Q' })).toBe('missing field "output"');
    expect(fromAlpaca({ output: 'A' })).toBe('missing field "instruction"');
    expect(fromAlpaca({ instruction: 'Q', chosen: 'x' })).toBe('missing field "rejected"');
    expect(fromAlpaca({ instruction: 'Q', output: 'A', history: [['only one']] })).toBe('history[0]: expected a [question, answer] pair');
  });
});

describe('sharegpt', () => {
  it('maps roles and the system field', () => {
    const r = ok(fromShareGpt, {
      system: 'Be brief.',
      conversations: [
        { from: 'human', value: 'hi' },
        { from: 'gpt', value: 'hello' },
        { from: 'human', value: 'bye' },
        { from: 'gpt', value: 'ciao' },
      ],
    });
    expect(r).toEqual({ messages: [sys, u('hi'), a('hello'), u('bye')], response: 'ciao', chosen: null, rejected: null });
  });

  it('reads a LLaMA-Factory ranking row and names a bad role', () => {
    const r = ok(fromShareGpt, { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'y' }, rejected: { from: 'gpt', value: 'n' } });
    expect(r).toEqual({ messages: [u('q')], response: null, chosen: 'y', rejected: 'n' });
    expect(fromShareGpt({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }, { from: 'bot', value: 'x' }] })).toBe(
      'conversations[2].from: unknown role "bot"',
    );
    expect(fromShareGpt({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], chosen: 'y', rejected: 'n' })).toBe(
      'conversations: must end with a human turn (the answers are in "chosen" and "rejected")',
    );
  });
});

describe('preference', () => {
  it('accepts chosen/rejected as text, a message or a list of messages, and the TRL prompt style', () => {
    const expected = { messages: [u('q')], response: null, chosen: 'y', rejected: 'n' };
    expect(ok(fromPreference, { messages: [u('q')], chosen: 'y', rejected: 'n' })).toEqual(expected);
    expect(ok(fromPreference, { messages: [u('q')], chosen: a('y'), rejected: [u('q'), a('n')] })).toEqual(expected);
    expect(ok(fromPreference, { prompt: 'q', chosen: 'y', rejected: 'n' })).toEqual(expected);
    expect(fromPreference({ messages: [u('q')], chosen: u('y'), rejected: 'n' })).toBe("chosen: expected the assistant's answer, found a user message");
    expect(fromPreference({ messages: [u('q')], chosen: 'y' })).toBe('missing field "rejected"');
  });
});

describe('columns', () => {
  const m = { prompt: 'question', response: 'answer', system: 'sys', chosen: null, rejected: null };
  it('maps fields, treating empty cells as none', () => {
    expect(ok(fromColumns(m), { question: 'Q', answer: 'A', sys: '' })).toEqual({ messages: [u('Q')], response: 'A', chosen: null, rejected: null });
    expect(ok(fromColumns(m), { question: 7, answer: '', sys: 'Be brief.' })).toEqual({ messages: [sys, u('7')], response: null, chosen: null, rejected: null });
    expect(fromColumns(m)({ answer: 'A' })).toBe('missing field "question"');
    const pm = { ...m, chosen: 'good', rejected: 'bad' };
    expect(fromColumns(pm)({ question: 'Q', good: 'y', bad: '' })).toBe('field "bad" is empty while "good" is set');
  });
});

describe('detection', () => {
  it('tells each format from its fields', () => {
    expect(detectFormat([['messages']])).toBe('messages');
    expect(detectFormat([['messages', 'chosen', 'rejected']])).toBe('preference');
    expect(detectFormat([['prompt', 'chosen', 'rejected']])).toBe('preference');
    expect(detectFormat([['instruction', 'input', 'output']])).toBe('alpaca');
    expect(detectFormat([['conversations', 'system']])).toBe('sharegpt');
    expect(detectFormat([['question', 'answer']])).toBe('columns');
    expect(detectFormat([])).toBeNull();
  });

  it('suggests a mapping from common names', () => {
    expect(suggestMapping(['id', 'Question', 'Answer', 'system'])).toEqual({ prompt: 'Question', response: 'Answer', system: 'system', chosen: null, rejected: null });
    expect(suggestMapping(['query', 'chosen', 'rejected'])).toEqual({ prompt: 'query', response: null, system: null, chosen: 'chosen', rejected: 'rejected' });
    expect(suggestMapping(['id', 'label'])).toBeNull();
  });
});

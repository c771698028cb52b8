import { describe, expect, it } from 'vitest';
import { PromptContent, type PromptContentInput } from './prompts.schema';
import { canonicalJson, composeMessages, lineDiffCounts, promptText, promptVariables, renderPrompt, toPlaygroundFields } from './promptRender';

const content = (c: PromptContentInput) => PromptContent.parse(c);
const sys = (text: string) => ({ role: 'system' as const, content: text });
const user = (text: string) => ({ role: 'user' as const, content: text });
const assistant = (text: string) => ({ role: 'assistant' as const, content: text });

const base = { messages: [sys('Be brief.'), user('Summarize {{text}}')] };

describe('renderPrompt: building blocks', () => {
  it('a plain template is its messages with variables substituted', () => {
    expect(renderPrompt(content(base), { text: 'the tides' })).toEqual({
      messages: [sys('Be brief.'), user('Summarize the tides')],
      missingVariables: [],
    });
  });

  it('persona is prepended to the system message', () => {
    expect(renderPrompt(content({ ...base, persona: 'You are a marine biologist.' }), { text: 'x' }).messages).toEqual([
      sys('You are a marine biologist.\n\nBe brief.'),
      user('Summarize x'),
    ]);
  });

  it('creates a system message when only blocks ask for one', () => {
    expect(renderPrompt(content({ messages: [user('Hi')], persona: 'You are {{who}}.' }), { who: 'Ada' }).messages).toEqual([
      sys('You are Ada.'),
      user('Hi'),
    ]);
  });

  it('the context block goes before the final user message, with its own variables', () => {
    expect(renderPrompt(content({ ...base, context: 'Context:\n{{context}}' }), { text: 'it', context: 'Tides are tidal.' }).messages).toEqual([
      sys('Be brief.'),
      user('Context:\nTides are tidal.\n\nSummarize it'),
    ]);
  });

  it('output constraints become one instruction: format, word limit, JSON schema', () => {
    const c = content({ ...base, output: { format: 'a bullet list', maxWords: 50, jsonSchema: '{"type":"object"}' } });
    expect(renderPrompt(c, { text: 'x' }).messages).toEqual([
      sys('Be brief.\n\nOutput format: a bullet list\nUse at most 50 words.\nAnswer with JSON only, matching this JSON schema:\n{"type":"object"}'),
      user('Summarize x'),
    ]);
    expect(renderPrompt(content({ ...base, output: { maxWords: 12 } }), { text: 'x' }).messages[0]).toEqual(sys('Be brief.\n\nUse at most 12 words.'));
  });

  it('chain of thought adds its instruction to the system message', () => {
    expect(renderPrompt(content({ ...base, chainOfThought: true }), { text: 'x' }).messages).toEqual([
      sys('Be brief.\n\nThink step by step: reason through the problem before you give your final answer.'),
      user('Summarize x'),
    ]);
  });

  it('few-shot examples become user/assistant turns before the final user message', () => {
    const c = content({
      messages: [user('Translate: {{word}}')],
      examples: [
        { input: 'Translate: cat', output: 'chat' },
        { input: 'Translate: dog', output: 'chien' },
      ],
    });
    expect(renderPrompt(c, { word: 'bird' }).messages).toEqual([
      user('Translate: cat'),
      assistant('chat'),
      user('Translate: dog'),
      assistant('chien'),
      user('Translate: bird'),
    ]);
  });

  it('examples follow the template’s own earlier turns', () => {
    const c = content({ messages: [sys('S'), user('Earlier'), assistant('Reply'), user('Now')], examples: [{ input: 'in', output: 'out' }] });
    expect(composeMessages(c)).toEqual([sys('S'), user('Earlier'), assistant('Reply'), user('in'), assistant('out'), user('Now')]);
  });

  it('the ReAct layout describes Thought/Action/Observation/Final Answer and lists the tools', () => {
    const react = [
      'Work in this format:',
      'Available tools: search, calculator',
      'Thought: reason about what to do next',
      'Action: the tool to call and its input, as tool_name[input]',
      'Observation: the result of the action (it is given to you; do not write it yourself)',
      '... (Thought, Action and Observation repeat as needed)',
      'Final Answer: the answer to the original question',
    ];
    expect(renderPrompt(content({ ...base, react: { enabled: true, tools: ['search', 'calculator'] } }), { text: 'x' }).messages).toEqual([
      sys(`Be brief.\n\n${react.join('\n')}`),
      user('Summarize x'),
    ]);
    const noTools = renderPrompt(content({ messages: [user('Q')], react: { enabled: true } }), {}).messages;
    expect(noTools).toEqual([sys(react.filter((l) => !l.startsWith('Available')).join('\n')), user('Q')]);
  });

  it('composes every block in a fixed order', () => {
    const c = content({
      messages: [sys('Rules: {{rules}}'), user('{{question}}')],
      persona: 'You are a librarian.',
      context: 'Context:\n{{context}}',
      output: { format: 'one paragraph' },
      chainOfThought: true,
      examples: [{ input: 'Q1', output: 'A1' }],
      react: { enabled: true, tools: ['lookup'] },
    });
    const r = renderPrompt(c, { rules: 'cite', question: 'Who?', context: 'ctx' });
    expect(r.messages).toEqual([
      sys(
        [
          'You are a librarian.',
          'Rules: cite',
          'Output format: one paragraph',
          'Think step by step: reason through the problem before you give your final answer.',
          'Work in this format:\nAvailable tools: lookup\nThought: reason about what to do next\nAction: the tool to call and its input, as tool_name[input]\nObservation: the result of the action (it is given to you; do not write it yourself)\n... (Thought, Action and Observation repeat as needed)\nFinal Answer: the answer to the original question',
        ].join('\n\n'),
      ),
      user('Q1'),
      assistant('A1'),
      user('Context:\nctx\n\nWho?'),
    ]);
    expect(r.missingVariables).toEqual([]);
  });
});

describe('variables', () => {
  it('reports missing variables once, in order of first appearance, and leaves them as written', () => {
    const c = content({ messages: [sys('{{tone}}'), user('{{a}} and {{b}} and {{a}}')], context: '{{ctx}}', examples: [{ input: '{{b}}', output: 'o' }] });
    const r = renderPrompt(c, { b: 'B' });
    expect(r.missingVariables).toEqual(['tone', 'ctx', 'a']);
    expect(r.messages.at(-1)).toEqual(user('{{ctx}}\n\n{{a}} and B and {{a}}'));
    expect(promptVariables(c)).toEqual(['tone', 'b', 'ctx', 'a']);
  });

  it('values are inserted literally, never expanded again', () => {
    expect(renderPrompt(content({ messages: [user('{{a}} {{b}}')] }), { a: '{{b}}', b: '$&' }).messages).toEqual([user('{{b}} $&')]);
  });
});

describe('toPlaygroundFields', () => {
  it('a single turn maps straight to the fields', () => {
    expect(toPlaygroundFields([sys('S'), user('U')])).toEqual({ systemPrompt: 'S', userMessage: 'U' });
    expect(toPlaygroundFields([user('U')])).toEqual({ systemPrompt: '', userMessage: 'U' });
  });

  it('inlines few-shot turns as Example input/output text before the real input', () => {
    expect(toPlaygroundFields([sys('S1'), sys('S2'), user('cat'), assistant('chat'), user('bird')])).toEqual({
      systemPrompt: 'S1\n\nS2',
      userMessage: 'Example input:\ncat\n\nExample output:\nchat\n\nInput:\nbird',
    });
  });

  it('keeps an assistant prefill as text after the input', () => {
    expect(toPlaygroundFields([user('Q'), assistant('{')]).userMessage).toBe('Input:\nQ\n\nBegin your answer with:\n{');
  });
});

describe('PromptContent validation', () => {
  const issues = (c: unknown) => {
    const r = PromptContent.safeParse(c);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('names the field at fault', () => {
    expect(issues({ messages: [] })[0]).toMatch(/^messages: /);
    expect(issues({ messages: [user('a'), sys('late')] })).toEqual([
      'messages.1.role: a system message may only be the first message',
      'messages.1.role: the last message must be the user message a run answers',
    ]);
    expect(issues({ messages: [{ role: 'tool', content: 'x' }] })[0]).toMatch(/^messages\.0\.role: /);
    expect(issues({ messages: [user('a')], output: { maxWords: 0 } })[0]).toMatch(/^output\.maxWords: /);
    expect(issues({ messages: [user('a')], react: { enabled: true, tools: ['ok', 'bad tool'] } })[0]).toMatch(/^react\.tools\.1: tool names/);
    expect(issues({ messages: [user('a')], react: { tools: ['a', 'a'] } })).toEqual(['react.tools: tool names must be unique']);
    expect(issues({ messages: [user('a')], params: { temperature: 9 } })[0]).toMatch(/^params\.temperature: /);
  });

  it('fills defaults for every block', () => {
    expect(content({ messages: [user('a')] })).toEqual({
      messages: [user('a')],
      persona: '',
      context: '',
      output: { format: '', maxWords: null, jsonSchema: null },
      chainOfThought: false,
      examples: [],
      react: { enabled: false, tools: [] },
      target: null,
      params: { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, repeatPenalty: 1.1, maxTokens: 256, seed: null, stop: [] },
    });
  });
});

describe('canonical forms', () => {
  it('canonicalJson sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('promptText shows messages with role headers and the blocks that are set', () => {
    const c = content({
      messages: [sys('S'), user('Hi {{name}}')],
      persona: 'P',
      output: { maxWords: 10 },
      examples: [{ input: 'i', output: 'o' }],
      react: { enabled: true, tools: ['t'] },
      target: { kind: 'remote', targetId: 'T1', model: 'qwen' },
      params: { stop: ['\n'] },
    });
    expect(promptText(c)).toBe(
      [
        '# Messages\n\n[system]\nS\n\n[user]\nHi {{name}}',
        '# Persona\nP',
        '# Output\nMax words: 10',
        '# Examples\n\n[example 1 input]\ni\n\n[example 1 output]\no',
        '# Reasoning\nChain of thought: off\nReAct: on (tools: t)',
        '# Target\nremote target T1, model qwen',
        '# Sampling\ntemperature: 0.8\ntopP: 0.95\ntopK: 40\nminP: 0.05\nrepeatPenalty: 1.1\nmaxTokens: 256\nseed: null\nstop: ["\\n"]',
      ].join('\n\n') + '\n',
    );
  });

  it('lineDiffCounts counts a minimal line diff', () => {
    expect(lineDiffCounts('a\nb\nc', 'a\nb\nc')).toEqual({ added: 0, removed: 0 });
    expect(lineDiffCounts('a\nb\nc', 'a\nx\nc\nd')).toEqual({ added: 2, removed: 1 });
    expect(lineDiffCounts('a\nb\nc\nd', 'd\na\nb\nc')).toEqual({ added: 1, removed: 1 });
    expect(lineDiffCounts('', 'a\nb')).toEqual({ added: 2, removed: 0 });
  });

  it('lineDiffCounts stays fast on large unrelated texts', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`).join('\n');
    expect(lineDiffCounts(a, b)).toEqual({ added: 20_000, removed: 20_000 });
  });
});

// `ignore_eos` (llama-server's extension, what benchmarks send to decode exactly max_tokens) reaches the run,
// and so does `repeat_penalty` (its extension too: benchmarks send 1 so both servers sample alike).
import { describe, expect, it } from 'vitest';
import { parseChatRequest, parseCompletionRequest } from './openaiRequests';

describe('ignore_eos', () => {
  it('is carried to the run for chat and completions, off unless asked', () => {
    const chat = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 };
    expect(parseChatRequest({ ...chat, ignore_eos: true }, 512).run.ignoreEos).toBe(true);
    expect(parseChatRequest(chat, 512).run.ignoreEos).toBe(false);
    expect(parseCompletionRequest({ prompt: 'hi', ignore_eos: true }, 512).run.ignoreEos).toBe(true);
  });

  it('must be a boolean, and the error names the field', () => {
    expect(() => parseChatRequest({ messages: [{ role: 'user', content: 'hi' }], ignore_eos: 'yes' }, 512)).toThrow(/ignore_eos/);
  });
});

describe('repeat_penalty', () => {
  const chat = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 };
  it('is carried to the run; left out, the run keeps Lamplight\'s default', () => {
    expect(parseChatRequest({ ...chat, repeat_penalty: 1 }, 512).run.params.repeatPenalty).toBe(1);
    expect(parseCompletionRequest({ prompt: 'hi', repeat_penalty: 1.3 }, 512).run.params.repeatPenalty).toBe(1.3);
    expect(parseChatRequest(chat, 512).run.params.repeatPenalty).toBe(1.1);
  });

  it('out of range is refused, and the error names the field', () => {
    expect(() => parseChatRequest({ ...chat, repeat_penalty: 0 }, 512)).toThrow(/repeat_penalty/);
  });
});

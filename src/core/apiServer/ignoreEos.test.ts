// `ignore_eos` (llama-server's extension, what benchmarks send to decode exactly max_tokens) reaches the run.
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

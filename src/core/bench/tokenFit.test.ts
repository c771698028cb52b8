import { describe, expect, it } from 'vitest';
import { syntheticPrompt } from './arrivals';
import { fitSyntheticPrompts } from './tokenFit';

// A tokenizer with words of one and two tokens (words over 3 letters are two) and the instruction's
// punctuation as its own tokens: whole words alone cannot always hit a length, so padding is exercised.
const count = async (text: string) => text.split(/\s+/).filter(Boolean).reduce((n, w) => n + (w.replace(/[,:]/g, '').length > 3 ? 2 : 1) + (/[,:]/.test(w) ? 1 : 0), 0);

describe('synthetic prompts fitted to a token count', () => {
  it('gives exactly inputLen tokens where the plain generator does not', async () => {
    for (const n of [3, 16, 64, 300]) {
      const fit = await fitSyntheticPrompts(count, n, 7, 12);
      expect(fit.inexact).toBe(0);
      expect(await Promise.all(fit.prompts.map(count))).toEqual(Array(12).fill(n));
      expect(new Set(fit.prompts).size).toBe(12);
    }
    expect(await count(syntheticPrompt(64, 7, 0))).not.toBe(64);
  });
});

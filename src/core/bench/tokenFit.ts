// Synthetic prompts of exactly `inputLen` tokens as the target's server counts them (vLLM's benchmark draws
// token ids with the model's tokenizer; we cannot, so we count): the instruction and seeded words as in
// syntheticPrompt, cut to the word count that gives inputLen tokens, padded with one-token words when a
// word boundary cannot hit it. Each prompt costs a few /tokenize calls; the next starts from the last fit.
import type { TokenCounter } from '../remote/tokenize';
import { SYNTHETIC_HEAD, syntheticWords } from './arrivals';

/** Tries per prompt before taking the closest fit below and padding it. */
const MAX_STEPS = 12;
const PAD = ' a';

export interface FittedPrompts {
  prompts: string[];
  /** Prompts that could not be made exactly inputLen tokens (the server's tokenizer merged the padding). */
  inexact: number;
}

export async function fitSyntheticPrompts(count: TokenCounter, inputLen: number, seed: number, n: number): Promise<FittedPrompts> {
  // Prompts shorter than the instruction are words only.
  const head = (await count(SYNTHETIC_HEAD)) + 1 < inputLen ? `${SYNTHETIC_HEAD} ` : '';
  const prompts: string[] = [];
  let inexact = 0;
  let guess = Math.max(1, inputLen - (head ? 12 : 0));
  for (let i = 0; i < n; i++) {
    // Every word is at least one token, so inputLen words are always enough.
    const words = syntheticWords(inputLen, seed, i);
    const text = (k: number) => (k === 0 ? head.trimEnd() : head + words.slice(0, k).join(' '));
    let lo = 0; // the most words known to give < inputLen tokens
    let loTokens = head ? await count(head.trimEnd()) : 0;
    let hi = words.length + 1; // the fewest known to give > inputLen
    let k = Math.min(Math.max(1, guess), words.length);
    let hit: string | null = null;
    for (let step = 0; step < MAX_STEPS && hi - lo > 1; step++) {
      const c = await count(text(k));
      if (c === inputLen) {
        hit = text(k);
        guess = k;
        break;
      }
      if (c < inputLen) [lo, loTokens] = [k, c];
      else hi = k;
      // Step by the token difference (about a word a token), kept inside what is known.
      const next = k + (inputLen - c);
      k = Math.min(hi - 1, Math.max(lo + 1, next === k ? k + Math.sign(inputLen - c) : next));
      if (k <= lo || k >= hi) break;
    }
    if (hit === null) {
      // No word count gives exactly inputLen: the closest below, padded with one-token words.
      const padded = (text(lo) + PAD.repeat(Math.max(0, inputLen - loTokens))).trimStart();
      if ((await count(padded)) !== inputLen) inexact++;
      hit = padded;
      guess = Math.max(1, lo);
    }
    prompts.push(hit);
  }
  return { prompts, inexact };
}

// When requests are sent under a rate: Poisson arrivals, as vLLM's --request-rate draws them (gamma with
// burstiness 1 = exponential gaps of mean 1/rate), from a seeded PRNG so a run can be repeated exactly.
import { Mulberry32 } from '../../shared/prng';

/** Send offsets in ms: the first request at 0, then cumulative exponential gaps. */
export function poissonSchedule(count: number, requestsPerSec: number, seed: number): number[] {
  const rng = new Mulberry32(seed);
  const meanMs = 1000 / requestsPerSec;
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) t += -Math.log(1 - rng.next()) * meanMs;
    out.push(t);
  }
  return out;
}

/** Words for synthetic prompts: common, short English words, so most tokenizers give ~1 token each. */
const WORDS = (
  'the of and to in is it that was for on are as with his they at be this from have or by one had not but what all were when we there can ' +
  'an your which their said if do will each about how up out them then she many some so these would other into has more her two like him ' +
  'see time could no make than first been its who now people my made over did down only way find use may water long little very after ' +
  'words called just where most know get through back much before go good new write our used me man too any day same right look think'
).split(' ');

/**
 * A prompt of about `inputLen` tokens: a fixed instruction, then words drawn by seed and index, so every
 * request differs (no prefix-cache hits beyond the instruction) and a rerun sends the same texts.
 */
export function syntheticPrompt(inputLen: number, seed: number, index: number): string {
  return `${SYNTHETIC_HEAD} ${syntheticWords(Math.max(1, inputLen - 12), seed, index).join(' ')}`;
}

export const SYNTHETIC_HEAD = 'Repeat these words back, then keep writing:';

/** The words of prompt `index`: a longer list starts with the same words (prompts can be cut to length). */
export function syntheticWords(count: number, seed: number, index: number): string[] {
  const rng = new Mulberry32((seed * 2654435761 + index * 40503) >>> 0);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORDS[Math.floor(rng.next() * WORDS.length)] as string);
  return words;
}

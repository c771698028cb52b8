// Ids: the schema every stored id is checked with, and ULIDs (sortable by creation time, safe in URLs and
// file names; made with Web Crypto, in Node 20 and browsers).
import { z } from 'zod';

export const Id = z.string().min(1).max(64);

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Random bytes are drawn 4 KiB at a time: one getRandomValues call cost ~10-40 µs, and an evaluation cell
// takes two or three ids (its run, its audit record). Each byte is still used once.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolAt + 16 > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let rand = '';
  for (let i = poolAt; i < poolAt + 16; i++) rand += ALPHABET[(pool[i] as number) % 32];
  poolAt += 16;
  return time + rand;
}

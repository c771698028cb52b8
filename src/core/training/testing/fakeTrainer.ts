// A stand-in for a trainer: a node script that prints what LLaMA-Factory and the HF Trainer print (a tqdm
// bar redrawn with \r, loss dicts, trainer_log lines), then "converts" by copying a GGUF adapter into place.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type FakeTrainerMode = 'ok' | 'slow' | 'fail' | 'noAdapter';

const SCRIPT = `
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
const [adapterSrc, mode] = process.argv.slice(2);
writeFileSync('trainer.pid', String(process.pid));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const steps = mode === 'slow' ? 1000 : 4;
console.log('[INFO|trainer] ***** Running training *****');
for (let s = 1; s <= steps; s++) {
  const pct = Math.round((s / steps) * 100);
  process.stderr.write('Map: 100%|##########| 50/50 [00:00<00:00, 900 examples/s]\\n');
  process.stderr.write(' ' + pct + '%|####      | ' + s + '/' + steps + ' [00:0' + (s % 10) + '<00:01,  2.00it/s]\\r');
  const loss = +(2 - s * 0.25).toFixed(4);
  console.log("{'loss': " + loss + ", 'grad_norm': 0.5, 'learning_rate': 0.0002, 'epoch': " + (s / steps) * 2 + "}");
  console.log(JSON.stringify({ current_steps: s, total_steps: steps, loss, lr: 0.0002, epoch: (s / steps) * 2, percentage: pct }));
  // Longer than the runner's 250 ms flush, so each step arrives in its own progress event even on a busy machine.
  await sleep(mode === 'slow' ? 200 : 400);
}
if (mode === 'fail') {
  console.error('Traceback (most recent call last):');
  console.error('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
  process.exit(3);
}
console.log('lamplight: converting adapter/hf to adapter/adapter.gguf');
await sleep(100);
if (mode !== 'noAdapter') {
  mkdirSync('adapter', { recursive: true });
  copyFileSync(adapterSrc, 'adapter/adapter.gguf');
}
console.log('done');
`;

/** Writes the script into dir; returns the command that runs it in a package folder. */
export function fakeTrainerCommand(dir: string, adapterSource: string, mode: FakeTrainerMode): string {
  const path = join(dir, 'fake-trainer.mjs');
  writeFileSync(path, SCRIPT);
  return [process.execPath, path, adapterSource, mode].map((a) => JSON.stringify(a)).join(' ');
}

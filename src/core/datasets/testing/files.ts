// Small dataset files for tests, written to a temporary folder.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function messagesLine(user: string, answer: string | null, system?: string): string {
  const messages = [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: user }];
  if (answer !== null) messages.push({ role: 'assistant', content: answer });
  return JSON.stringify({ messages });
}

/** `n` good rows with numbered, distinct texts; lines listed in `broken` replaced by bad ones. */
export function writeMessagesFile(dir: string, n: number, broken: Record<number, string> = {}, name = 'data.jsonl'): string {
  const lines: string[] = [];
  let row = 0;
  for (let line = 1; lines.length < n + Object.keys(broken).length; line++) {
    const bad = broken[line];
    if (bad !== undefined) lines.push(bad);
    else {
      lines.push(messagesLine(`Question ${row} about topic ${row % 7}`, `Answer number ${row} explains topic ${row % 7}`));
      row++;
    }
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

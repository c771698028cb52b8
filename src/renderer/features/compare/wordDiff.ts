// Word-level diff of one output against another (the first column), by longest common subsequence. Pure.
// Words and punctuation are compared; whitespace is carried along but never marked, so re-wrapped text
// reads as the same.

export type DiffKind = 'same' | 'added' | 'changed' | 'removed';

export interface DiffSegment {
  kind: DiffKind;
  /** For 'removed': the base's words missing here (not part of the shown text). */
  text: string;
}

export interface WordDiffResult {
  /** The other text, cut into runs; joining every non-removed segment gives the text back exactly. */
  segments: DiffSegment[];
  /** 2·common / (words in base + words in other); 1 for two empty texts. */
  similarity: number;
  /** Words marked added or changed. */
  marked: number;
  /** True when the texts were too long for a full LCS and the middle was marked wholesale. */
  approximate: boolean;
}

const TOKEN = /\s+|[\p{L}\p{N}_]+(?:['’][\p{L}\p{N}_]+)*|[^\s\p{L}\p{N}_]/gu;

/** Words (letters, digits, inner apostrophes), single punctuation marks and whitespace runs, in order. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

const isSpace = (t: string): boolean => /^\s/.test(t);

/** Suffix-LCS table walk; `maxCells` bounds the n·m table (Uint16: 8 MB at the default). */
function lcsOps(a: readonly string[], b: readonly string[], maxCells: number): { ops: ('eq' | 'del' | 'ins')[]; approximate: boolean } {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: ('eq' | 'del' | 'ins')[] = new Array<'eq'>(start).fill('eq');
  const n = endA - start;
  const m = endB - start;
  let approximate = false;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) > maxCells) {
    approximate = true;
    for (let i = 0; i < n; i++) ops.push('del');
    for (let j = 0; j < m; j++) ops.push('ins');
  } else if (n > 0 || m > 0) {
    const w = m + 1;
    const table = new Uint16Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i * w + j] =
          a[start + i] === b[start + j] ? (table[(i + 1) * w + j + 1] as number) + 1 : Math.max(table[(i + 1) * w + j] as number, table[i * w + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        ops.push('eq');
        i++;
        j++;
      } else if (j >= m || (i < n && (table[(i + 1) * w + j] as number) >= (table[i * w + j + 1] as number))) {
        ops.push('del');
        i++;
      } else {
        ops.push('ins');
        j++;
      }
    }
  }
  for (let k = endA; k < a.length; k++) ops.push('eq');
  return { ops, approximate };
}

export function wordDiff(base: string, other: string, maxCells = 4_000_000): WordDiffResult {
  const aWords = tokenize(base).filter((t) => !isSpace(t));
  const bTokens = tokenize(other);
  const bWords = bTokens.filter((t) => !isSpace(t));
  const { ops, approximate } = lcsOps(aWords, bWords, maxCells);

  // Per word of `other`: its kind; removals are attached before the next word of `other` (or the end).
  const kinds: DiffKind[] = [];
  const removedBefore = new Map<number, string[]>();
  let common = 0;
  let ai = 0;
  let k = 0;
  while (k < ops.length) {
    if (ops[k] === 'eq') {
      kinds.push('same');
      common++;
      ai++;
      k++;
      continue;
    }
    // A hunk: consecutive deletions and insertions. Inserted words replacing removed ones are "changed".
    const removed: string[] = [];
    let inserted = 0;
    while (k < ops.length && ops[k] !== 'eq') {
      if (ops[k] === 'del') removed.push(aWords[ai++] as string);
      else inserted++;
      k++;
    }
    if (removed.length) removedBefore.set(kinds.length, removed);
    for (let x = 0; x < inserted; x++) kinds.push(removed.length ? 'changed' : 'added');
  }

  const segments: DiffSegment[] = [];
  const push = (kind: DiffKind, text: string): void => {
    const last = segments[segments.length - 1];
    if (last && last.kind === kind && kind !== 'removed') last.text += text;
    else segments.push({ kind, text });
  };
  let wi = 0;
  for (let t = 0; t < bTokens.length; t++) {
    const token = bTokens[t] as string;
    if (isSpace(token)) {
      // Whitespace between two marked words of one kind joins their mark; otherwise it is plain.
      const prev = wi > 0 ? kinds[wi - 1] : undefined;
      const next = kinds[wi];
      push(prev && prev === next && prev !== 'same' && !removedBefore.has(wi) ? prev : 'same', token);
      continue;
    }
    const removed = removedBefore.get(wi);
    if (removed) push('removed', joinWords(removed));
    push(kinds[wi] as DiffKind, token);
    wi++;
  }
  const trailing = removedBefore.get(wi);
  if (trailing) push('removed', joinWords(trailing));

  const total = aWords.length + bWords.length;
  return {
    segments,
    similarity: total === 0 ? 1 : (2 * common) / total,
    marked: kinds.filter((x) => x === 'added' || x === 'changed').length,
    approximate,
  };
}

/** Words back into readable text: a space between words, none before punctuation. */
function joinWords(words: readonly string[]): string {
  let out = '';
  for (const w of words) out += out && /^[\p{L}\p{N}_]/u.test(w) ? ` ${w}` : w;
  return out;
}

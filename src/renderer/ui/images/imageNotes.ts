// What storing an image changed (StoredImage.notes, ImageImportNote), as the UI words it: one image's notes
// as they are, and an import's notes grouped by kind ("3 animated images: first frame kept: a.webp, …"). Pure.
import type { ImageImportNote } from '../../../shared/datasets.schema';

/** A kind of note: how a group of them is titled, and the detail one file keeps (its frame count…). */
interface NoteKind {
  key: string;
  /** "3 animated images: first frame kept" */
  title(count: number): string;
  detail: string | null;
}

const images = (n: number, what = 'image'): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

// The core's wording (core/images/prepare.ts normalizeForStore). A note not matched here still groups, by its
// exact text, so a new or reworded note is shown rather than lost.
const KINDS: { re: RegExp; key: string; title: (n: number) => string; detail?: (m: RegExpExecArray) => string | null }[] = [
  { re: /^animated (.+) with (\d+) frames: only the first frame is kept$/, key: 'animated', title: (n) => `${images(n, 'animated image')}: first frame kept`, detail: (m) => `${m[2]} frames` },
  { re: /^turned upright \(EXIF orientation (\d+)\)$/, key: 'orientation', title: (n) => `${images(n)} turned upright (EXIF orientation applied)` },
  { re: /^CMYK colours converted to sRGB/, key: 'cmyk', title: (n) => `${images(n, 'CMYK image')}: colours converted to sRGB` },
  { re: /^colours converted from its embedded profile(?: \((.+)\))? to sRGB$/, key: 'profile', title: (n) => `${images(n)} with a colour profile: converted to sRGB`, detail: (m) => m[1] ?? null },
  { re: /^its embedded colour profile is unreadable/, key: 'bad-profile', title: (n) => `${images(n)} with an unreadable colour profile: colours taken as sRGB` },
  { re: /^16-bit channels reduced to 8-bit$/, key: '16-bit', title: (n) => `${images(n, '16-bit image')}: reduced to 8-bit` },
  { re: /^transparent areas flattened onto white$/, key: 'alpha', title: (n) => `${images(n)} with transparency: flattened onto white` },
];

export function noteKind(note: string): NoteKind {
  for (const k of KINDS) {
    const m = k.re.exec(note);
    if (m) return { key: k.key, title: k.title, detail: k.detail ? k.detail(m) : null };
  }
  return { key: `text:${note}`, title: (n) => `${images(n)}: ${note}`, detail: null };
}

/** "transparent areas flattened onto white" → "Transparent areas flattened onto white" (a note shown alone). */
export function noteSentence(note: string): string {
  return note.charAt(0).toUpperCase() + note.slice(1);
}

export interface NoteGroup {
  key: string;
  title: string;
  files: { file: string; detail: string | null }[];
}

/** An import's notes by kind, largest group first (ties in the order met); each file once per group. */
export function groupNotes(notes: readonly ImageImportNote[]): NoteGroup[] {
  const groups = new Map<string, { kind: NoteKind; files: NoteGroup['files'] }>();
  for (const n of notes) {
    const kind = noteKind(n.note);
    const g = groups.get(kind.key) ?? { kind, files: [] };
    if (!g.files.some((f) => f.file === n.file)) g.files.push({ file: n.file, detail: kind.detail });
    groups.set(kind.key, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, title: g.kind.title(g.files.length), files: g.files }))
    .sort((a, b) => b.files.length - a.files.length);
}

/** How many file names a group lists before "and N more" (the rest one click away). */
export const LISTED_FILES = 8;

/** "a.webp (3 frames)" */
export function fileWithDetail(f: NoteGroup['files'][number]): string {
  return f.detail ? `${f.file} (${f.detail})` : f.file;
}

/** A group as one line: "3 animated images: first frame kept: a.webp (3 frames), b.png (2 frames), …". */
export function formatGroup(g: NoteGroup, listed = LISTED_FILES): string {
  const shown = g.files.slice(0, listed).map(fileWithDetail).join(', ');
  const rest = g.files.length - listed;
  return `${g.title}: ${shown}${rest > 0 ? `, and ${rest.toLocaleString('en-US')} more` : ''}`;
}

/** The notes a stored image arrived with, without repeats or blanks (the same file stored twice says it once). */
export function cleanNotes(notes: readonly string[] | undefined): string[] {
  return [...new Set((notes ?? []).map((n) => n.trim()).filter(Boolean))];
}

// Generated image folders for image-dataset tests and e2e: real PNG/JPEG/WebP files drawn with sharp (a
// colored card with a label), a file that is not an image, and CSV/JSONL sidecars.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const COLORS = ['#d94f4f', '#4f8fd9', '#4fd97a', '#d9b84f', '#9b4fd9', '#4fd9d2'];

/** A small "invoice card": a colored background with a number, so each image (and its hash) differs. */
export async function cardImage(i: number, format: 'png' | 'jpeg' | 'webp' = 'png', width = 160, height = 120): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="${COLORS[i % COLORS.length]}"/>
    <rect x="10" y="10" width="${width - 20}" height="28" fill="#ffffff"/>
    <text x="16" y="30" font-size="18" font-family="sans-serif">INVOICE ${1000 + i}</text>
    <text x="16" y="${height - 20}" font-size="22" font-family="sans-serif" fill="#ffffff">TOTAL ${i * 10 + 5}.00</text>
  </svg>`;
  return sharp(Buffer.from(svg))[format]().toBuffer();
}

export interface ImageFolder {
  dir: string;
  files: string[];
}

/** `count` images named img-01.png, img-02.jpg, img-03.webp… plus notes.txt (not an image) and a subfolder. */
export async function writeImageFolder(dir: string, count: number): Promise<ImageFolder> {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  const files: string[] = [];
  const formats = ['png', 'jpeg', 'webp'] as const;
  for (let i = 1; i <= count; i++) {
    const format = formats[(i - 1) % 3] as (typeof formats)[number];
    const name = `img-${String(i).padStart(2, '0')}.${format === 'jpeg' ? 'jpg' : format}`;
    writeFileSync(join(dir, name), await cardImage(i, format));
    files.push(name);
  }
  writeFileSync(join(dir, 'notes.txt'), 'not an image\n');
  return { dir, files };
}

/** A CSV sidecar: file, prompt, and the fields to extract (total, number) for the given files. */
export function writeCsvSidecar(path: string, files: readonly string[], extra: string[] = []): string {
  const lines = ['file,prompt,total,number', ...files.map((f, i) => `${f},Extract the total and the invoice number.,${(i + 1) * 10 + 5}.00,${1001 + i}`), ...extra];
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

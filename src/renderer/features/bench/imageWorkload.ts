// The image workload part of the benchmark form: its text fields turned into the contract's workload, or
// the first problem in words. Pure, so the rules are tested without a DOM.
import { MAX_IMAGES_PER_RUN } from '../../../shared/images.schema';

export interface ImageWorkloadForm {
  imageSource: 'generated' | 'testset';
  imageCount: string;
  imageWidth: string;
  imageHeight: string;
  imagePattern: 'gradient' | 'noise';
  imagesPerRequest: string;
  imagePrompt: string;
  imageTestSetId: string;
  imageColumn: string;
}

export const emptyImageWorkload = (): ImageWorkloadForm => ({
  imageSource: 'generated',
  imageCount: '8',
  imageWidth: '640',
  imageHeight: '480',
  imagePattern: 'gradient',
  imagesPerRequest: '1',
  imagePrompt: 'Describe the image in one sentence.',
  imageTestSetId: '',
  imageColumn: '',
});

type Source = { kind: 'generated'; count: number; width: number; height: number; pattern: 'gradient' | 'noise' } | { kind: 'testset'; testSetId: string; column: string };
export type ImageWorkload = { kind: 'images'; images: Source; perRequest: number; prompt: string; outputLen: number };

function whole(text: string, label: string, min: number, max: number): { ok: true; n: number } | { ok: false; message: string } {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) return { ok: false, message: `${label}: “${text}” is not a whole number from ${min} to ${max}.` };
  return { ok: true, n };
}

export function imageWorkloadFromForm(f: ImageWorkloadForm, outputLen: number): { ok: true; workload: ImageWorkload } | { ok: false; message: string } {
  const k = whole(f.imagesPerRequest, 'Images per request', 1, MAX_IMAGES_PER_RUN);
  if (!k.ok) return k;
  const prompt = f.imagePrompt.trim();
  if (!prompt) return { ok: false, message: 'Prompt: write what each request asks about its images.' };
  let images: Source;
  if (f.imageSource === 'generated') {
    const count = whole(f.imageCount, 'Images', 1, 256);
    if (!count.ok) return count;
    const width = whole(f.imageWidth, 'Width', 16, 4096);
    if (!width.ok) return width;
    const height = whole(f.imageHeight, 'Height', 16, 4096);
    if (!height.ok) return height;
    images = { kind: 'generated', count: count.n, width: width.n, height: height.n, pattern: f.imagePattern };
  } else {
    if (!f.imageTestSetId || !f.imageColumn) return { ok: false, message: 'Choose a test set and its image column.' };
    images = { kind: 'testset', testSetId: f.imageTestSetId, column: f.imageColumn };
  }
  return { ok: true, workload: { kind: 'images', images, perRequest: k.n, prompt, outputLen } };
}

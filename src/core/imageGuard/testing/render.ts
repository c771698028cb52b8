// Small test images with rendered text (sharp + pango), for tests that OCR in seconds.
import sharp from 'sharp';
import { idCheckChar } from '../../../shared/piiValidators';

/** A valid 18-digit resident ID (region 110105, born 1990-03-07) with its check character. */
export function validId(seq = '123'): string {
  const body = `11010519900307${seq}`;
  return body + idCheckChar(body, 0);
}

/** Dark text lines on white, as a PNG (or JPEG with quality). */
export async function textImage(lines: readonly string[], opts: { font?: string; jpeg?: number } = {}): Promise<Buffer> {
  const markup = lines.map((l) => l.replace(/&/g, '&amp;').replace(/</g, '&lt;')).join('\n');
  const text = await sharp({ text: { text: `<span foreground="#111111">${markup}</span>`, font: opts.font ?? 'DejaVu Sans 16', dpi: 72, rgba: true } })
    .png()
    .toBuffer();
  const img = sharp(text).extend({ top: 16, bottom: 16, left: 16, right: 16, background: '#ffffff' }).flatten({ background: '#ffffff' });
  return opts.jpeg ? img.jpeg({ quality: opts.jpeg }).toBuffer() : img.png().toBuffer();
}

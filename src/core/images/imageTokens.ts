// Visual tokens of an image for Qwen-VL-style encoders (dynamic resolution: the image is resized to
// multiples of patch × merge within a pixel range, one token per merged block). Pure arithmetic, shared by
// the store's default estimate and the projector-aware one in core/vision/projector.ts.

export interface QwenTokenRules {
  /** Side of one token in pixels: patch size × spatial merge (Qwen2-VL: 14 × 2 = 28). */
  factor: number;
  /** An image with fewer pixels after rounding is scaled up to at least this many. */
  minPixels: number;
  /** An image with more pixels after rounding is scaled down to at most this many. */
  maxPixels: number;
  /** Python's round() (half to even), as transformers' smart_resize; else C++ std::round (half away from zero). */
  halfEven?: boolean;
  /** llama.cpp's clip computes in 32-bit floats: round each quotient as it does. */
  float32?: boolean;
}

/** Qwen2-VL's released preprocessor: min_pixels 56×56, max_pixels 12,845,056, 28 px per token. */
export const QWEN2_VL_RULES: QwenTokenRules = { factor: 28, minPixels: 56 * 56, maxPixels: 12_845_056, halfEven: true };

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Tokens for a `width`×`height` image under `rules`: transformers' smart_resize and llama.cpp's
 * calc_size_preserved_ratio (the same algorithm): sides rounded to multiples of the factor, then scaled
 * into [minPixels, maxPixels] keeping the ratio. 0 for an empty image.
 */
export function qwenVlTokens(width: number, height: number, rules: QwenTokenRules): number {
  if (width <= 0 || height <= 0) return 0;
  const f = rules.factor;
  const q = rules.float32 ? Math.fround : (x: number) => x;
  const near = rules.halfEven ? roundHalfEven : Math.round;
  const by = (round: (x: number) => number) => (x: number): number => round(q(x / f)) * f;
  let w = Math.max(f, by(near)(width));
  let h = Math.max(f, by(near)(height));
  if (w * h > rules.maxPixels) {
    const beta = q(Math.sqrt((height * width) / rules.maxPixels));
    h = Math.max(f, by(Math.floor)(height / beta));
    w = Math.max(f, by(Math.floor)(width / beta));
  } else if (w * h < rules.minPixels) {
    const beta = q(Math.sqrt(rules.minPixels / (height * width)));
    h = by(Math.ceil)(height * beta);
    w = by(Math.ceil)(width * beta);
  }
  return (w / f) * (h / f);
}

/**
 * Visual tokens when the encoder is not known: Qwen2-VL's rules (a 1×1 image is still 56×56, 4 tokens;
 * sides rounded to multiples of 28). Other encoders differ (LLaVA: a fixed 576; llama.cpp's Qwen2-VL
 * spends at least 8), so the projector-aware estimate is used where the projector is known.
 */
export function estimateTokens(width: number, height: number): number {
  return qwenVlTokens(width, height, QWEN2_VL_RULES);
}

// Which file in a folder or a Hugging Face repository is a model's projector (mmproj), by name alone:
// llama.cpp's `-hf` rule. Used where a model is found (vision) and where it is downloaded (models).
import { basename } from 'node:path';

const QUANT = /(?:^|[-_.])(i?q\d(?:_[a-z0-9]+)*|bf16|f16|f32)(?=$|[-_.])/i;

/** Bits per weight a file name's quantization suggests (llama.cpp's extract_quant_bits), 0 when none. */
function quantBits(name: string): number {
  const q = QUANT.exec(name)?.[1]?.toLowerCase();
  if (!q) return 0;
  return q === 'bf16' || q === 'f16' ? 16 : q === 'f32' ? 32 : Number(/\d+/.exec(q)?.[0] ?? 0);
}

/** Word-like parts of a file name, without "mmproj" and the extension. */
function stemParts(name: string): Set<string> {
  const stem = name.toLowerCase().replace(/\.gguf$/, '').replace(/mmproj/g, ' ');
  return new Set(stem.split(/[-_.\s]+/).filter(Boolean));
}

const isProjectorName = (name: string): boolean => /\.gguf$/i.test(name) && /mmproj/i.test(name);

/**
 * The projector file name that belongs with `modelFile` among `names`: names containing "mmproj" and
 * ending in .gguf (any case), most name parts shared with the model first, then the same quantization,
 * then the closest bits per weight (llama.cpp's rule for an `-hf` repository), then by name.
 */
export function pickProjectorName(modelFile: string, names: readonly string[]): string | null {
  const modelName = basename(modelFile);
  const model = stemParts(modelName);
  const modelQuant = QUANT.exec(modelName)?.[1]?.toLowerCase() ?? null;
  const bits = quantBits(modelName);
  const ranked = names
    .filter((n) => isProjectorName(basename(n)) && basename(n) !== modelName)
    .map((n) => {
      const b = basename(n);
      const shared = [...stemParts(b)].filter((p) => model.has(p)).length;
      const sameQuant = modelQuant !== null && QUANT.exec(b)?.[1]?.toLowerCase() === modelQuant ? 1 : 0;
      return { n, shared, sameQuant, diff: Math.abs(quantBits(b) - bits) };
    })
    .sort((a, b) => b.shared - a.shared || b.sameQuant - a.sameQuant || a.diff - b.diff || a.n.localeCompare(b.n));
  return ranked[0]?.n ?? null;
}

/**
 * For a model downloaded by `hf:user/repo/path/file.gguf`: the `hf:` URI of the repository's projector,
 * given the repository's file list (hfListing.ts: the `api/models/{user}/{repo}/tree/{rev}` paths llama.cpp lists).
 * As llama.cpp's `-hf` does, only files in the model's folder or one above it qualify. Null when there is none.
 */
export function projectorUriFromRepo(modelUri: string, repoFiles: readonly string[]): string | null {
  const m = /^hf:([^/]+)\/([^/:]+)\/(.+\.gguf)$/i.exec(modelUri.trim());
  if (!m) return null;
  const [, user, repo, file] = m as unknown as [string, string, string, string];
  const modelDir = file.split('/').slice(0, -1);
  const inReach = repoFiles.filter((f) => {
    const dir = f.split('/').slice(0, -1);
    return dir.length <= modelDir.length && dir.every((part, i) => part === modelDir[i]);
  });
  // Deeper (closer to the model) folders first, then the name rule.
  const depth = Math.max(-1, ...inReach.filter((f) => isProjectorName(basename(f))).map((f) => f.split('/').length));
  const picked = pickProjectorName(file, inReach.filter((f) => f.split('/').length === depth));
  return picked ? `hf:${user}/${repo}/${picked}` : null;
}

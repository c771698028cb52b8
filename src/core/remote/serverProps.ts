// What a server says about its model's inputs: llama-server answers GET {origin}/props with
// `modalities: { vision, audio, video }` (true when it was started with --mmproj). vLLM and most APIs have no
// /props; they say nothing, and "nothing" (null) is treated as text-only by the caller.
import type { EndpointConfig } from './endpoint';
import { resolveTarget } from './endpoint';
import { tokenizeBase } from './tokenize';

const TIMEOUT_MS = 5_000;

/** true/false when the server says whether it takes images; null when it does not say or cannot be asked. */
export async function visionFromProps(cfg: EndpointConfig, signal?: AbortSignal): Promise<boolean | null> {
  let t;
  try {
    t = resolveTarget(tokenizeBase(cfg), 'props', 'GET', 'application/json');
  } catch {
    return null;
  }
  try {
    const res = await fetch(t.url, { headers: t.headers, signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const json = (await res.json()) as { modalities?: { vision?: unknown } } | null;
    const v = json?.modalities?.vision;
    return typeof v === 'boolean' ? v : null;
  } catch {
    // No /props, not JSON, unreachable: the server said nothing about images.
    return null;
  }
}

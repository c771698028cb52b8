// `ignore_eos` (llama-server's request field, used by benchmarks to decode exactly max_tokens): every
// end-of-generation token of the model gets a -Infinity logit bias, as llama-server does.
import { TokenBias, type LlamaModel, type Token } from 'node-llama-cpp';

const eogTokens = new WeakMap<LlamaModel, Token[]>();

/** The model's end-of-generation tokens (EOS, EOT and any other the vocabulary marks), found once per model. */
export function endOfGenerationTokens(model: LlamaModel): Token[] {
  let tokens = eogTokens.get(model);
  if (!tokens) {
    tokens = [];
    for (const t of model.iterateAllTokens()) if (model.isEogToken(t)) tokens.push(t);
    eogTokens.set(model, tokens);
  }
  return tokens;
}

/** A token bias that forbids every end-of-generation token. */
export function ignoreEosBias(model: LlamaModel): TokenBias {
  const bias = TokenBias.for(model);
  // TokenBias.set() skips EOG tokens on purpose; its map is what the sampler reads, so they go in directly.
  const biases = (bias as unknown as { _biases: Map<Token, number> })._biases;
  for (const t of endOfGenerationTokens(model)) biases.set(t, -Infinity);
  return bias;
}

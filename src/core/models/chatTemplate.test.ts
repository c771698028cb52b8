import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels } from '../fixtures/ensureFixtures';
import { modelTemplate } from './chatTemplate';

let fx: Awaited<ReturnType<typeof ensureFixtureModels>>;
beforeAll(async () => {
  fx = await ensureFixtureModels();
});

describe('models.template', () => {
  it('returns the Jinja text and renders the sample conversation with it, without loading the model', async () => {
    const t = await modelTemplate(fx.tinyQ8_0);
    expect(t.template).toMatch(/im_start/);
    expect(t.format).toMatch(/ChatML/i);
    expect(t.rendered).toContain('<|im_start|>system\nYou are a concise assistant.');
    expect(t.rendered).toContain('<|im_start|>assistant\nParis.');
    expect(t.rendered.trimEnd().endsWith('<|im_start|>assistant')).toBe(true);
  });

  it('names the file when it is no longer a GGUF file', async () => {
    await expect(modelTemplate(fx.notGguf)).rejects.toThrow(/broken-not-gguf.*not a GGUF file/);
  });
});

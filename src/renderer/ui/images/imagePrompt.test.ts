import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_IMAGE_PIXELS, MAX_IMAGES_PER_RUN } from '../../../shared/images.schema';
import type { TargetCheck, TargetInfo } from '../../../shared/targets.schema';
import { describePixels, extractImageVariables, imageAcceptance, imageCount, imageRequestFields, imageTokenTotal, imageVariableOccurrences, missingImagesMessage, withImage } from './imagePrompt';

const h = (c: string): string => c.repeat(64);
const remote = { kind: 'remote' as const, targetId: 'T1', model: 'qwen-vl' };

function info(acceptsImages?: 'auto' | 'yes' | 'no', maxImagePixels?: number): TargetInfo {
  return {
    id: 'T1',
    name: 'gpu box',
    baseUrls: ['http://127.0.0.1:1/v1'],
    hasApiKey: false,
    headerNames: [],
    timeouts: { connectMs: 1, firstTokenMs: 1, idleMs: 1 },
    maxRetries: 0,
    createdAt: 0,
    replicas: [],
    ...(acceptsImages ? { acceptsImages } : {}),
    ...(maxImagePixels ? { maxImagePixels } : {}),
  } as TargetInfo;
}

function check(vision: boolean | null | undefined, id = 'qwen-vl'): TargetCheck {
  return { targetId: 'T1', checkedAt: 0, replicas: [], models: [{ id, ownedBy: null, root: null, parent: null, maxModelLen: null, ...(vision !== undefined ? { vision } : {}) }] } as TargetCheck;
}

describe('image variables', () => {
  it('finds {{image:name}} in order, once, and not plain variables', () => {
    expect(extractImageVariables('see {{ image:receipt }} and {{image:logo}}', '{{name}} {{image:receipt}}')).toEqual(['receipt', 'logo']);
  });

  it('lists every place an image variable stands, repeats included, as the core splits the message', () => {
    expect(imageVariableOccurrences('{{image:logo}}{{ image:receipt }} {{name}} and {{image:logo}} {{image:bad name}}')).toEqual(['logo', 'receipt', 'logo']);
    expect(imageVariableOccurrences('no images {{name}}')).toEqual([]);
  });

  it('builds the request fields: attached images, filled slots, and names the empty ones', () => {
    const f = imageRequestFields([{ hash: h('a'), name: 'a.png', width: 10 }], { receipt: { hash: h('b'), name: 'b.jpg' } }, ['{{image:receipt}} {{image:logo}}']);
    expect(f.images).toEqual([{ hash: h('a'), name: 'a.png' }]);
    expect(f.imageVariables).toEqual({ receipt: h('b') });
    expect(f.missing).toEqual(['logo']);
    expect(imageCount(f)).toBe(2);
    expect(missingImagesMessage(f.missing)).toBe('Choose an image for {{image:logo}} first.');
  });

  it('leaves the fields out of a text-only prompt, and drops slots the text no longer names', () => {
    const f = imageRequestFields([], { gone: { hash: h('c'), name: 'c.png' } }, ['plain text']);
    expect(f).toEqual({ missing: [] });
    expect(missingImagesMessage(f.missing)).toBeNull();
  });
});

describe('attaching', () => {
  it('keeps one copy of the same bytes and refuses past the limit, naming the file', () => {
    const one = withImage([], { hash: h('a'), name: 'a.png' });
    expect(withImage(one.images, { hash: h('a'), name: 'again.png' }).images).toHaveLength(1);
    const full = Array.from({ length: MAX_IMAGES_PER_RUN }, (_, i) => ({ hash: i.toString(16).padStart(64, '0'), name: `${i}.png` }));
    const over = withImage(full, { hash: h('f'), name: 'extra.png' });
    expect(over.images).toHaveLength(MAX_IMAGES_PER_RUN);
    expect(over.error).toContain('extra.png');
  });
});

describe('token totals', () => {
  it('adds the image parts that have an estimate, null when none has', () => {
    expect(imageTokenTotal([{ kind: 'text', text: 'x' }, { kind: 'image', hash: h('a'), name: 'a', estTokens: 256 }, { kind: 'image', hash: h('b'), name: 'b', estTokens: 64 }])).toBe(320);
    expect(imageTokenTotal([{ kind: 'image', hash: h('a'), name: 'a', estTokens: null }])).toBeNull();
    expect(imageTokenTotal(undefined)).toBeNull();
  });
});

describe('whether a target takes images', () => {
  it('leaves local models and unchecked auto targets to the core', () => {
    expect(imageAcceptance({ kind: 'local', modelId: 'M1' }, undefined, undefined)).toEqual({ ok: true, maxPixels: null });
    expect(imageAcceptance(remote, info('auto'), undefined)).toEqual({ ok: true, maxPixels: DEFAULT_MAX_IMAGE_PIXELS });
  });

  it('follows the setting, then what the server said about the model', () => {
    expect(imageAcceptance(remote, info('yes', 50_000), check(false))).toEqual({ ok: true, maxPixels: 50_000 });
    const no = imageAcceptance(remote, info('no'), check(true));
    expect(no.ok ? '' : no.reason).toContain('text only');
    expect(imageAcceptance(remote, info('auto'), check(true)).ok).toBe(true);
    const said = imageAcceptance(remote, info('auto'), check(false));
    expect(said.ok ? '' : said.reason).toContain('takes no images');
    const silent = imageAcceptance(remote, info(), check(undefined));
    expect(silent.ok ? '' : silent.reason).toContain('set Accepts images to yes');
    const unlisted = imageAcceptance(remote, info('auto'), check(true, 'other'));
    expect(unlisted.ok).toBe(false);
  });

  it('describes a pixel budget', () => {
    expect(describePixels(DEFAULT_MAX_IMAGE_PIXELS)).toBe('1,003,520 px (≈ 1002×1002)');
  });
});

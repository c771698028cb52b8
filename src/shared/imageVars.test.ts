import { describe, expect, it } from 'vitest';
import { extractImageVariables, imageValuesFor } from './imageVars';
import { extractVariables } from './template';

const H = 'a'.repeat(64);

describe('{{image:name}} variables', () => {
  it('are found in order of first appearance, apart from text variables', () => {
    const texts = ['Read {{image:receipt}} and {{ image:stamp }}.', 'Total of {{image:receipt}} in {{currency}}'];
    expect(extractImageVariables(...texts)).toEqual(['receipt', 'stamp']);
    expect(extractVariables(...texts)).toEqual(['currency']);
    expect(extractImageVariables('{{image:}} {{image:1x}} {{picture:x}} {{image: spaced}}')).toEqual([]);
  });

  it('take their values from a row: hashes only, the rest reported missing', () => {
    expect(imageValuesFor(['a', 'b', 'c'], { a: H, b: 'photo.png' })).toEqual({ imageVariables: { a: H }, missing: ['b', 'c'] });
  });
});

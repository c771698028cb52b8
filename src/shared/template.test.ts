import { describe, expect, it } from 'vitest';
import { extractVariables, substituteVariables } from './template';

describe('template variables', () => {
  it('finds names in order of first appearance across texts, once each', () => {
    expect(extractVariables('Hi {{name}}, {{ topic }}', 'about {{topic}} and {{name}} {{x.y}}')).toEqual([
      'name',
      'topic',
      'x.y',
    ]);
  });

  it('ignores malformed placeholders', () => {
    expect(extractVariables('{{}} {{1abc}} {single} {{ok}}')).toEqual(['ok']);
  });

  it('substitutes known values and reports missing ones', () => {
    const r = substituteVariables('Write about {{topic}} for {{audience}}.', { topic: 'tides' });
    expect(r.text).toBe('Write about tides for {{audience}}.');
    expect(r.missing).toEqual(['audience']);
  });

  it('keeps $-patterns in values literal', () => {
    expect(substituteVariables('{{a}}', { a: '$& $1 $$' }).text).toBe('$& $1 $$');
  });
});

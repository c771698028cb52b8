import { describe, expect, it } from 'vitest';
import { extractImageVariables, extractVariables, splitImageVariables, substituteVariables } from './template';

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

describe('image variables', () => {
  it('are not text variables: {{image:name}} is neither extracted nor reported missing as text', () => {
    expect(extractVariables('Read {{image:receipt}} for {{who}}')).toEqual(['who']);
    expect(substituteVariables('Read {{image:receipt}}', {}).missing).toEqual([]);
    expect(extractImageVariables('{{image:a}} x {{ image:b }}', '{{image:a}}')).toEqual(['a', 'b']);
  });

  it('split the text with each image where its variable stood', () => {
    const r = splitImageVariables('Compare {{image:a}} with {{image:b}}.', { a: 'H1', b: 'H2' });
    expect(r.missing).toEqual([]);
    expect(r.parts).toEqual([
      { kind: 'text', text: 'Compare ' },
      { kind: 'image', name: 'a', value: 'H1' },
      { kind: 'text', text: ' with ' },
      { kind: 'image', name: 'b', value: 'H2' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keep an unfilled variable in the text and report it missing', () => {
    const r = splitImageVariables('{{image:a}}Total of {{image:receipt}}?', { a: 'H1' });
    expect(r.missing).toEqual(['receipt']);
    expect(r.parts).toEqual([
      { kind: 'image', name: 'a', value: 'H1' },
      { kind: 'text', text: 'Total of {{image:receipt}}?' },
    ]);
  });
});

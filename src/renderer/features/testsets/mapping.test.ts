import { describe, expect, it } from 'vitest';
import { mappingFromRoles, rolesFromMapping } from './mapping';

describe('column mapping', () => {
  const columns = ['question', 'answer', 'kind', 'notes'];
  it('reads the suggested mapping as one role per column', () => {
    const roles = rolesFromMapping(columns, { variables: { question: 'question' }, expected: 'answer', label: 'kind' });
    expect(roles).toEqual({
      question: { role: 'variable', name: 'question' },
      answer: { role: 'expected', name: '' },
      kind: { role: 'label', name: '' },
      notes: { role: 'ignore', name: '' },
    });
    expect(mappingFromRoles(columns, roles)).toEqual({ mapping: { variables: { question: 'question' }, expected: 'answer', label: 'kind', images: [] }, problem: null });
  });
  it('an image column is a variable listed in mapping.images, both ways', () => {
    const roles = rolesFromMapping(['photo', 'q'], { variables: { photo: 'receipt', q: 'q' }, expected: null, label: null, images: ['receipt'] });
    expect(roles.photo).toEqual({ role: 'image', name: 'receipt' });
    expect(mappingFromRoles(['photo', 'q'], roles).mapping).toEqual({ variables: { photo: 'receipt', q: 'q' }, expected: null, label: null, images: ['receipt'] });
  });
  it('refuses duplicate or malformed variable names and two expected columns', () => {
    expect(mappingFromRoles(['a', 'b'], { a: { role: 'variable', name: 'x' }, b: { role: 'variable', name: 'x' } }).problem).toContain('two columns');
    expect(mappingFromRoles(['a'], { a: { role: 'variable', name: '1x' } }).problem).toContain('not a variable name');
    expect(mappingFromRoles(['a', 'b'], { a: { role: 'expected', name: '' }, b: { role: 'expected', name: '' } }).problem).toContain('only one column');
    expect(mappingFromRoles(['a'], { a: { role: 'ignore', name: '' } }).problem).toContain('at least one');
  });
});

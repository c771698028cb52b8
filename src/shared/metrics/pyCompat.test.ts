import { describe, expect, it } from 'vitest';
import { pyFixed, pyRstrip, pySplit } from './pyCompat';

// Expected values are what CPython 3.11 prints for the same expressions.
describe('pyCompat', () => {
  it.each([
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [37.5, 1, '37.5'],
    [1.005, 2, '1.00'],
    [0.0625, 3, '0.062'],
    [-0.125, 2, '-0.12'],
    [82.35294117647058, 1, '82.4'],
    [0.9428731438548749, 3, '0.943'],
  ])("pyFixed(%f, %i) is f'{x:.Nf}' = %s (ties to even)", (x, digits, expected) => {
    expect(pyFixed(x, digits)).toBe(expected);
  });

  it('pySplit and pyRstrip use Python\'s whitespace, not \\s', () => {
    expect(pySplit(' a\u00a0b\ufeffc\x1cd\x85e ')).toEqual(['a', 'b\ufeffc', 'd', 'e']);
    expect(pySplit('')).toEqual([]);
    expect(pyRstrip('x \t\u3000\n')).toBe('x');
    expect(pyRstrip('x\ufeff')).toBe('x\ufeff');
  });
});

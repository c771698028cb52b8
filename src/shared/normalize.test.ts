import { describe, expect, it } from 'vitest';
import { foldWidth, normalizeAmount, normalizeDate, normalizeId, normalizeText } from './normalize';

const val = (r: { ok: boolean; value?: string; reason?: string }) => (r.ok ? r.value : `ERR ${r.reason}`);

describe('amounts', () => {
  it('reads currency, grouping and decimals under the declared separator', () => {
    expect(val(normalizeAmount('¥1,280.00', '.'))).toBe('1280');
    expect(val(normalizeAmount('1280', '.'))).toBe('1280');
    expect(val(normalizeAmount(1280, ','))).toBe('1280');
    expect(val(normalizeAmount('1 280,00', ','))).toBe('1280');
    expect(val(normalizeAmount('1.280,50 €', ','))).toBe('1280.5');
    expect(val(normalizeAmount('CNY 12,345,678.90', '.'))).toBe('12345678.9');
    expect(val(normalizeAmount('１，２８０．００円', '.'))).toBe('1280');
    expect(val(normalizeAmount('-42.10', '.'))).toBe('-42.1');
    expect(val(normalizeAmount('(42.10)', '.'))).toBe('-42.1');
    expect(val(normalizeAmount('0.50', '.'))).toBe('0.5');
  });
  it('never guesses 1.280: the declared separator decides', () => {
    expect(val(normalizeAmount('1.280', '.'))).toBe('1.28');
    expect(val(normalizeAmount('1.280', ','))).toBe('1280');
    expect(val(normalizeAmount('1,280', ','))).toBe('1.28');
    expect(val(normalizeAmount('1,280', '.'))).toBe('1280');
  });
  it('refuses what is not a number under the rule', () => {
    expect(normalizeAmount('1,28', '.').ok).toBe(false);
    expect(normalizeAmount('1.2.3', '.').ok).toBe(false);
    expect(normalizeAmount('n/a', '.').ok).toBe(false);
    expect(normalizeAmount('12,34.5', '.').ok).toBe(false);
    expect(normalizeAmount(Number.NaN, '.').ok).toBe(false);
  });
});

describe('dates', () => {
  it('reads the forms that say their own order', () => {
    for (const s of ['2025年10月1日', '2025-10-01', '2025/10/1', '２０２５年１０月１日', '1 Oct 2025', 'October 1, 2025', '2025-10-01T00:00:00Z']) {
      expect(val(normalizeDate(s, 'MDY')), s).toBe('2025-10-01');
    }
  });
  it('reads d/m/y in the declared order', () => {
    expect(val(normalizeDate('01/10/2025', 'DMY'))).toBe('2025-10-01');
    expect(val(normalizeDate('01/10/2025', 'MDY'))).toBe('2025-01-10');
    expect(val(normalizeDate('1.10.25', 'DMY'))).toBe('2025-10-01');
    expect(val(normalizeDate('25/10/01', 'YMD'))).toBe('2025-10-01');
  });
  it('refuses impossible or undeclared dates', () => {
    expect(normalizeDate('31/02/2025', 'DMY').ok).toBe(false);
    expect(normalizeDate('13/25/2025', 'MDY').ok).toBe(false);
    expect(normalizeDate('01/10/2025', 'YMD').ok).toBe(false);
    expect(normalizeDate('soon', 'DMY').ok).toBe(false);
    expect(val(normalizeDate('29/02/2024', 'DMY'))).toBe('2024-02-29');
  });
});

describe('ids and text', () => {
  it('folds full-width characters and whitespace', () => {
    expect(foldWidth('ＡＢＣ１２３')).toBe('ABC123');
    expect(val(normalizeId(' ａｂｃ 123 ', false))).toBe('ABC123');
    expect(val(normalizeId('abc123', true))).toBe('abc123');
    expect(val(normalizeText('  Acme\u3000 Trading\n Co. '))).toBe('Acme Trading Co.');
    expect(val(normalizeText('ACME', false))).toBe('acme');
  });
});

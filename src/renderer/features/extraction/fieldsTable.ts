// The template editor's normalization column: one choice per field type, mapped to the template's
// declared rule (decimal separator, date order, case). Pure.
import type { FieldSpecInput } from '../../../shared/fieldScore';

export interface RuleChoice {
  value: string;
  options: { value: string; label: string }[];
}

export function ruleChoice(f: FieldSpecInput): RuleChoice {
  switch (f.type) {
    case 'amount':
      return { value: f.decimal ?? '.', options: [{ value: '.', label: "decimal '.' (1,280.00; 1.280 = 1.28)" }, { value: ',', label: "decimal ',' (1 280,00; 1.280 = 1280)" }] };
    case 'date':
      return { value: f.dateOrder ?? 'YMD', options: ['DMY', 'MDY', 'YMD'].map((o) => ({ value: o, label: `${o} (01/10/2025 read ${o === 'DMY' ? '1 Oct' : o === 'MDY' ? 'Jan 10' : 'refused'})` })) };
    case 'id':
    case 'text': {
      const cs = f.caseSensitive ?? f.type === 'text';
      return { value: cs ? 'case' : 'nocase', options: [{ value: 'nocase', label: 'case ignored, whitespace and full-width folded' }, { value: 'case', label: 'case kept, whitespace and full-width folded' }] };
    }
    case 'list':
      return { value: '', options: [] };
  }
}

/** The field with the chosen rule; `null` resets the rule to the type's default (after a type change). */
export function withRule(f: FieldSpecInput, value: string | null): FieldSpecInput {
  const { decimal: _d, dateOrder: _o, caseSensitive: _c, ...base } = f as FieldSpecInput & Record<string, unknown>;
  const b = { name: base.name, type: base.type, ...(base.description ? { description: base.description } : {}) };
  switch (f.type) {
    case 'amount':
      return { ...b, type: 'amount', decimal: value === ',' ? ',' : '.' };
    case 'date':
      return { ...b, type: 'date', dateOrder: value === 'DMY' || value === 'MDY' ? value : 'YMD' };
    case 'id':
    case 'text':
      return value === null ? { ...b, type: f.type } : { ...b, type: f.type, caseSensitive: value === 'case' };
    case 'list':
      return { ...b, type: 'list', items: 'items' in f && f.items ? f.items : [{ name: 'description', type: 'text' }, { name: 'amount', type: 'amount' }] };
  }
}

export const percent = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

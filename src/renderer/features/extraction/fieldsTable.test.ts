import { describe, expect, it } from 'vitest';
import { FieldSpec } from '../../../shared/fieldScore';
import { percent, ruleChoice, withRule } from './fieldsTable';

describe('the normalization column', () => {
  it('maps each choice to a rule the schema accepts', () => {
    expect(withRule({ name: 'total', type: 'amount' }, ',')).toEqual({ name: 'total', type: 'amount', decimal: ',' });
    expect(ruleChoice({ name: 'd', type: 'date', dateOrder: 'DMY' }).value).toBe('DMY');
    expect(withRule({ name: 'id', type: 'id' }, 'case')).toEqual({ name: 'id', type: 'id', caseSensitive: true });
    // A type change drops the old type's rule and gives a list its default items.
    const list = withRule({ name: 'lines', type: 'list', decimal: ',' } as never, null);
    expect(FieldSpec.safeParse(list).success).toBe(true);
    expect(list).not.toHaveProperty('decimal');
    expect(ruleChoice({ name: 'n', type: 'text' }).value).toBe('case');
    expect(percent(2 / 3)).toBe('66.7%');
    expect(percent(null)).toBe('—');
  });
});

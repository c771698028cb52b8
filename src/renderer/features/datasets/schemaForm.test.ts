import { describe, expect, it } from 'vitest';
import { rowsFromSchema, schemaFromRows } from './schemaForm';

describe('label schema form', () => {
  it('round-trips a schema through editor rows', () => {
    const schema = { fields: [{ name: 'topic', kind: 'single' as const, options: ['math', 'code'] }] };
    expect(rowsFromSchema(schema)).toEqual([{ name: 'topic', kind: 'single', options: 'math, code' }]);
    expect(schemaFromRows(rowsFromSchema(schema))).toEqual(schema);
  });
  it('splits options on ASCII and full-width commas and drops empty ones', () => {
    expect(schemaFromRows([{ name: ' tone ', kind: 'multi', options: '礼貌，直接, ,rude,' }])).toEqual({
      fields: [{ name: 'tone', kind: 'multi', options: ['礼貌', '直接', 'rude'] }],
    });
  });
});

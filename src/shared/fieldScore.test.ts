import { describe, expect, it } from 'vitest';
import { FieldSpecs, describeRule, scoreDocument, templateJsonSchema, type FieldSpecInput } from './fieldScore';

const fields = FieldSpecs.parse([
  { name: 'seller', type: 'text' },
  { name: 'tax_id', type: 'id' },
  { name: 'issue_date', type: 'date', dateOrder: 'DMY' },
  { name: 'total', type: 'amount', decimal: ',' },
  { name: 'lines', type: 'list', items: [{ name: 'desc', type: 'text' }, { name: 'amount', type: 'amount', decimal: ',' }] },
] satisfies FieldSpecInput[]);
const reference = {
  seller: 'Acme Trading',
  tax_id: '91310000MA1FL0XX',
  issue_date: '2025-10-01',
  total: '1280',
  lines: [{ desc: 'Widget', amount: '1000' }, { desc: 'Bolt', amount: '280' }],
};

describe('scoreDocument', () => {
  it('passes a document that differs only in declared normalization', () => {
    const out = JSON.stringify({ seller: ' Acme  Trading ', tax_id: '９１３１００００ma1fl0xx', issue_date: '01/10/2025', total: '1 280,00', lines: [{ desc: 'Widget', amount: '1.000' }, { desc: 'Bolt', amount: 280 }] });
    const s = scoreDocument(fields, reference, out);
    expect(s.fields.filter((f) => !f.pass)).toEqual([]);
    expect(s.documentPass).toBe(true);
    expect(s.valid).toBe(true);
  });
  it('fails the field that differs and the document with it', () => {
    const s = scoreDocument(fields, reference, '```json\n' + JSON.stringify({ ...reference, total: '1,28' }) + '\n```');
    const total = s.fields.find((f) => f.field === 'total');
    expect(total?.pass).toBe(false);
    expect(total?.reason).toBe('1.28 ≠ 1280');
    expect(s.documentPass).toBe(false);
    expect(s.fields.find((f) => f.field === 'seller')?.pass).toBe(true);
  });
  it('compares line items in order, count first', () => {
    const short = scoreDocument(fields, reference, JSON.stringify({ ...reference, lines: [reference.lines[0]] }));
    const lines = short.fields.find((f) => f.field === 'lines');
    expect(lines?.pass).toBe(false);
    expect(lines?.reason).toBe('1 items, expected 2');
    expect(short.fields.find((f) => f.field === 'lines[2].desc')?.reason).toBe('missing in the output');
    const swapped = scoreDocument(fields, reference, JSON.stringify({ ...reference, lines: [...reference.lines].reverse() }));
    expect(swapped.fields.find((f) => f.field === 'lines')?.pass).toBe(false);
  });
  it('counts an output that is not JSON as invalid, every field failing', () => {
    const s = scoreDocument(fields, reference, 'The total is 1280');
    expect(s.valid).toBe(false);
    expect(s.invalidReason).toMatch(/^the output is not JSON/);
    expect(s.fields.filter((f) => f.scored && f.pass)).toEqual([]);
  });
  it('does not score a field the reference leaves empty', () => {
    const s = scoreDocument(fields, { ...reference, tax_id: '' }, JSON.stringify({ ...reference, tax_id: 'whatever' }));
    expect(s.fields.find((f) => f.field === 'tax_id')?.scored).toBe(false);
    expect(s.documentPass).toBe(true);
  });
  it('refuses duplicate field names and describes rules', () => {
    expect(FieldSpecs.safeParse([{ name: 'a', type: 'text' }, { name: 'a', type: 'id' }]).success).toBe(false);
    expect(describeRule(fields[3]!)).toContain('1.280 = 1280');
    const schema = templateJsonSchema(fields) as { required: string[]; properties: Record<string, { type: unknown }> };
    expect(schema.required).toEqual(['seller', 'tax_id', 'issue_date', 'total', 'lines']);
    expect(schema.properties.lines?.type).toBe('array');
  });
});

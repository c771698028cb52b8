import { describe, expect, it } from 'vitest';
import { countsWords } from '../../ui/piiCounts';
import { EMPTY_RULE_FORM, formToRule, piiRuleProblem, ruleSummary, ruleToForm, splitWords } from './guardForm';

describe('output rule form', () => {
  it('turns a word list into trimmed, distinct words and back', () => {
    expect(splitWords(' moon,\nsun , moon\n\n')).toEqual(['moon', 'sun']);
    const r = formToRule({ ...EMPTY_RULE_FORM, name: ' no moon ', action: 'block', words: 'moon' });
    expect(r).toEqual({ ok: true, rule: { kind: 'words', name: 'no moon', action: 'block', enabled: true, words: ['moon'] } });
    if (r.ok) expect(ruleToForm(r.rule)).toMatchObject({ kind: 'words', name: 'no moon', words: 'moon' });
  });
  it('names what is wrong: no name, bad regex, bad length', () => {
    expect(formToRule({ ...EMPTY_RULE_FORM, words: 'x' })).toMatchObject({ ok: false, message: /name/ });
    expect(formToRule({ ...EMPTY_RULE_FORM, name: 'r', kind: 'regex', pattern: '(' })).toMatchObject({ ok: false, message: /does not compile/ });
    expect(formToRule({ ...EMPTY_RULE_FORM, name: 'r', kind: 'maxLength', chars: '1.5' })).toMatchObject({ ok: false });
    expect(formToRule({ ...EMPTY_RULE_FORM, name: 'j', kind: 'json' })).toMatchObject({ ok: true, rule: { kind: 'json' } });
  });
  it('summarises rules in a line', () => {
    expect(ruleSummary({ kind: 'regex', name: 'r', action: 'flag', enabled: true, pattern: 'a+', flags: 'i' })).toBe('/a+/i');
    expect(ruleSummary({ kind: 'words', name: 'w', action: 'flag', enabled: true, words: ['a', 'b', 'c', 'd', 'e', 'f'] })).toBe('a, b, c, d +2 more');
  });
});

describe('PII rules and counts', () => {
  it('checks names, duplicates and patterns', () => {
    expect(piiRuleProblem({ name: 'emp', pattern: 'E\\d+', flags: '' }, [])).toMatch(/upper-case/);
    expect(piiRuleProblem({ name: 'EMP', pattern: 'E\\d+', flags: '' }, [{ name: 'EMP', pattern: 'x', flags: '' }])).toMatch(/already/);
    expect(piiRuleProblem({ name: 'EMP', pattern: 'E\\d+', flags: '' }, [])).toBeNull();
  });
  it('reads counts in words', () => {
    expect(countsWords({ id_card: 1, bank_card: 2, EMPLOYEE_NO: 1, email: 0 })).toBe('1 ID number, 2 bank cards, 1 EMPLOYEE_NO');
  });
});

// The output-rule and PII-rule forms of the Guardrails view, and how rules and counts read. Pure.
import type { OutputRule, PiiAction, PiiRule } from '../../../shared/guard.schema';

export type RuleKind = OutputRule['kind'];

export const RULE_KIND_LABEL: Record<RuleKind, string> = {
  words: 'Word list',
  regex: 'Regex',
  maxLength: 'Max length',
  json: 'Must be JSON',
};

export const PII_ACTION_LABEL: Record<PiiAction, string> = {
  mask: 'Mask before sending',
  warn: 'Send, but warn',
  block: 'Refuse to send',
  allow: 'Send as is',
};

/** What a person types for one output rule; every field a string until saved. */
export interface RuleForm {
  kind: RuleKind;
  name: string;
  action: 'flag' | 'block';
  enabled: boolean;
  /** One word or phrase a line (commas also split). */
  words: string;
  pattern: string;
  flags: string;
  chars: string;
}

export const EMPTY_RULE_FORM: RuleForm = { kind: 'words', name: '', action: 'flag', enabled: true, words: '', pattern: '', flags: 'i', chars: '4000' };

export function ruleToForm(rule: OutputRule): RuleForm {
  const base = { ...EMPTY_RULE_FORM, kind: rule.kind, name: rule.name, action: rule.action, enabled: rule.enabled };
  switch (rule.kind) {
    case 'words':
      return { ...base, words: rule.words.join('\n') };
    case 'regex':
      return { ...base, pattern: rule.pattern, flags: rule.flags };
    case 'maxLength':
      return { ...base, chars: String(rule.chars) };
    case 'json':
      return base;
  }
}

export function splitWords(text: string): string[] {
  return [...new Set(text.split(/[\n,]/).map((w) => w.trim()).filter(Boolean))];
}

/** A rule to store, or what is wrong with the form. Regex syntax is checked here too (the core checks again). */
export function formToRule(f: RuleForm): { ok: true; rule: OutputRule } | { ok: false; message: string } {
  const name = f.name.trim();
  if (!name) return { ok: false, message: 'Give the rule a name.' };
  const base = { name, action: f.action, enabled: f.enabled };
  switch (f.kind) {
    case 'words': {
      const words = splitWords(f.words);
      if (!words.length) return { ok: false, message: 'List at least one word or phrase.' };
      return { ok: true, rule: { kind: 'words', ...base, words } };
    }
    case 'regex': {
      const problem = regexProblem(f.pattern, f.flags);
      if (problem) return { ok: false, message: problem };
      return { ok: true, rule: { kind: 'regex', ...base, pattern: f.pattern, flags: f.flags } };
    }
    case 'maxLength': {
      const chars = Number(f.chars);
      if (!Number.isInteger(chars) || chars < 1) return { ok: false, message: 'Max length is a whole number of characters, at least 1.' };
      return { ok: true, rule: { kind: 'maxLength', ...base, chars } };
    }
    case 'json':
      return { ok: true, rule: { kind: 'json', ...base } };
  }
}

export function regexProblem(pattern: string, flags: string): string | null {
  if (!pattern) return 'Write a pattern.';
  if (!/^[imsu]*$/.test(flags)) return 'Flags: only i, m, s and u.';
  try {
    new RegExp(pattern, `g${flags}`);
    return null;
  } catch (error) {
    return `The pattern does not compile: ${(error as Error).message}`;
  }
}

/** One line on what the rule checks. */
export function ruleSummary(rule: OutputRule): string {
  switch (rule.kind) {
    case 'words':
      return rule.words.length <= 4 ? rule.words.join(', ') : `${rule.words.slice(0, 4).join(', ')} +${rule.words.length - 4} more`;
    case 'regex':
      return `/${rule.pattern}/${rule.flags}`;
    case 'maxLength':
      return `at most ${rule.chars.toLocaleString('en-US')} characters`;
    case 'json':
      return 'the whole output parses as JSON';
  }
}

/** A custom PII rule's form check; names are what the placeholder is called: EMPLOYEE_NO → [EMPLOYEE_NO_1]. */
export function piiRuleProblem(rule: PiiRule, others: readonly PiiRule[]): string | null {
  if (!/^[A-Z][A-Z0-9_]{0,23}$/.test(rule.name)) return 'Names are upper-case letters, digits and _ (e.g. EMPLOYEE_NO), up to 24.';
  if (others.some((o) => o.name === rule.name)) return `There is already a rule named ${rule.name}.`;
  return regexProblem(rule.pattern, rule.flags);
}

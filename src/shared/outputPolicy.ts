// Output rules (word lists, regexes, a length cap, must-be-JSON) checked against a model's output before
// anyone uses it. Pure: the core applies it to every run, the UI may use it to explain a rule.
import type { OutputRule } from './guard.schema';
import type { OutputCheck } from './guard.schema';

export interface CompiledOutputRule {
  rule: OutputRule;
  /** For words (one alternation, case-insensitive) and regex rules. */
  regex: RegExp | null;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles the rules; throws an Error naming the rule when a regex does not compile. */
export function compileOutputRules(rules: readonly OutputRule[]): CompiledOutputRule[] {
  return rules.map((rule, i) => {
    if (rule.kind === 'words') return { rule, regex: new RegExp(rule.words.map(escapeRegex).join('|'), 'iu') };
    if (rule.kind === 'regex') {
      try {
        return { rule, regex: new RegExp(rule.pattern, rule.flags.replace('g', '')) };
      } catch (e) {
        throw new Error(`output.rules[${i}] "${rule.name}": the pattern is not a valid regular expression (${(e as Error).message})`);
      }
    }
    return { rule, regex: null };
  });
}

function quote(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > 60 ? `${one.slice(0, 57)}...` : one);
}

/** The JSON text of an output: the whole output, or the body of a single ```json fence around it. */
function jsonBody(text: string): string {
  const t = text.trim();
  const fence = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(t);
  return fence ? (fence[1] as string) : t;
}

function violation(c: CompiledOutputRule, text: string): string | null {
  const r = c.rule;
  switch (r.kind) {
    case 'words':
    case 'regex': {
      const m = (c.regex as RegExp).exec(text);
      return m ? `contains ${quote(m[0])} at character ${m.index + 1}` : null;
    }
    case 'maxLength':
      return text.length > r.chars ? `is ${text.length} characters long (limit ${r.chars})` : null;
    case 'json':
      try {
        JSON.parse(jsonBody(text));
        return null;
      } catch (e) {
        return `is not valid JSON (${(e as Error).message})`;
      }
  }
}

/** Every enabled rule that matches; block wins over flag. */
export function checkOutput(rules: readonly CompiledOutputRule[], text: string): OutputCheck {
  const reasons: string[] = [];
  let decision: OutputCheck['decision'] = 'pass';
  for (const c of rules) {
    if (!c.rule.enabled) continue;
    const why = violation(c, text);
    if (why === null) continue;
    reasons.push(`rule "${c.rule.name}" (${c.rule.action}): output ${why}`);
    if (c.rule.action === 'block') decision = 'block';
    else if (decision === 'pass') decision = 'flag';
  }
  return { decision, reasons };
}

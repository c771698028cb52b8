// LLM-as-judge: the rubric prompt a judge model answers, and reading its score back. Models phrase scores
// loosely ("**Score:** 7/10", "score = 7.5", "8 out of 10"), so the parser takes the last score it finds
// outside <think> blocks and refuses, with the reason, anything it cannot read or that is off the scale.
import type { JudgeConfig } from '../../shared/evals.schema';
import { substituteVariables } from '../../shared/template';

export interface JudgeInput {
  output: string;
  expected: string | null;
  variables: Readonly<Record<string, string>>;
}

export function judgePrompt(j: Pick<JudgeConfig, 'rubric' | 'scale'>, input: JudgeInput): { systemPrompt: string; userMessage: string } {
  const systemPrompt = [
    'You are a strict, impartial evaluator. Grade the RESPONSE against the RUBRIC.',
    `Give a short justification, then end with one line exactly like "SCORE: N/${j.scale}", where N is a number from 0 to ${j.scale}.`,
  ].join('\n');
  const vars = Object.entries(input.variables);
  // The rubric may use the row's {{variables}}, like assertion values; the output is never filled.
  const sections = [`RUBRIC:\n${substituteVariables(j.rubric, input.variables).text}`];
  if (vars.length > 0) sections.push(`INPUT VARIABLES:\n${vars.map(([k, v]) => `${k}: ${v}`).join('\n')}`);
  if (input.expected !== null) sections.push(`REFERENCE ANSWER:\n${input.expected}`);
  sections.push(`RESPONSE:\n${input.output}`);
  sections.push(`Grade the RESPONSE now. Finish with "SCORE: N/${j.scale}".`);
  return { systemPrompt, userMessage: sections.join('\n\n') };
}

export type JudgeScore = { ok: true; score: number; justification: string } | { ok: false; reason: string };

const NUM = String.raw`(\d+(?:[.,]\d+)?)`;
const DECOR = String.raw`[\s*_\x60"'\[\]]*`;
/** "score", optional "is/of/=/:", the number, optional "/ 10" or "out of 10". */
const WITH_KEYWORD = new RegExp(String.raw`\bscore\b${DECOR}(?:is|of|=|:)?${DECOR}(-?)${NUM}${DECOR}(?:(?:\/|out\s+of)\s*${NUM})?`, 'gi');
const BARE_FRACTION = new RegExp(String.raw`(-?)${NUM}\s*(?:\/|out\s+of)\s*${NUM}`, 'gi');

const toNumber = (s: string) => Number(s.replace(',', '.'));
const short = (s: string, n = 80) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
};

/** Reads the judge's score onto its scale (a different denominator is rescaled: 4/5 on a 10 scale is 8). */
export function parseJudgeScore(reply: string, scale: number): JudgeScore {
  const text = reply.replace(/<think>[\s\S]*?<\/think>/gi, ' ');
  const keyword = [...text.matchAll(WITH_KEYWORD)].at(-1);
  // Without the word "score", only a fraction over the judge's own scale counts (not "1/2 cup").
  const bare = keyword ? undefined : [...text.matchAll(BARE_FRACTION)].filter((m) => toNumber(m[3] as string) === scale).at(-1);
  const m = keyword ?? bare;
  if (!m) return { ok: false, reason: `no score in the judge's reply (expected "SCORE: N/${scale}"): "${short(reply) || '(empty)'}"` };
  const negative = m[1] === '-';
  const value = toNumber(m[2] as string);
  const denominator = m[3] !== undefined ? toNumber(m[3]) : scale;
  const written = `${negative ? '-' : ''}${m[2]}${m[3] !== undefined ? `/${m[3]}` : ''}`;
  if (negative || !(denominator > 0) || value > denominator) {
    return { ok: false, reason: `the judge's score ${written} is off the scale 0–${denominator}` };
  }
  const score = Math.round(((value * scale) / denominator) * 1000) / 1000;
  const justification = short(text.slice(0, m.index).trim(), 160);
  return { ok: true, score, justification };
}

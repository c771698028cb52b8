// Reading a judge's score back: the phrasings models use, and clear reasons when there is none.
import { describe, expect, it } from 'vitest';
import { judgePrompt, parseJudgeScore } from './judge';

const score = (reply: string, scale = 10) => {
  const r = parseJudgeScore(reply, scale);
  return r.ok ? r.score : r.reason;
};

describe('parseJudgeScore', () => {
  it.each([
    ['SCORE: 7/10', 7],
    ['Good answer.\nScore: 8 / 10', 8],
    ['**Score:** 9/10', 9],
    ['Score: **6**/10', 6],
    ['score = 7.5', 7.5],
    ['Final score: 7,5/10', 7.5],
    ['The score is 4 out of 10.', 4],
    ['I give it a score of 3', 3],
    ['SCORE: 4/5', 8],
    ['[Score]: 10/10', 10],
    ['Score: 7/10 at first glance… but on reflection SCORE: 5/10', 5],
    ['<think>maybe SCORE: 10/10?</think>Too vague. SCORE: 2/10', 2],
    ['Solid reasoning, clear prose: 8/10', 8],
    ['SCORE: 0/10', 0],
  ])('%j → %s', (reply, want) => {
    expect(score(reply)).toBe(want);
  });

  it('rescales to the judge scale and keeps fractions', () => {
    expect(score('SCORE: 3/4', 100)).toBe(75);
    expect(score('SCORE: 2/3')).toBe(6.667);
  });

  it('refuses what it cannot read or what is off the scale, quoting the reply', () => {
    expect(score('I like it a lot!')).toMatch(/^no score in the judge's reply \(expected "SCORE: N\/10"\): "I like it a lot!"$/);
    expect(score('')).toMatch(/\(empty\)/);
    expect(score('Use 1/2 cup of flour')).toMatch(/no score/);
    expect(score('SCORE: N/10')).toMatch(/no score/);
    expect(score('SCORE: 12/10')).toBe("the judge's score 12/10 is off the scale 0–10");
    expect(score('SCORE: -3/10')).toMatch(/off the scale/);
    expect(score('score: 11')).toMatch(/11 is off the scale 0–10/);
    expect(score('SCORE: 3/0')).toMatch(/off the scale/);
    expect(score('x'.repeat(500))).toMatch(/…"$/);
  });

  it('returns the text before the score as the justification', () => {
    const r = parseJudgeScore('Accurate and concise.\n\nSCORE: 9/10', 10);
    expect(r).toEqual({ ok: true, score: 9, justification: 'Accurate and concise.' });
  });
});

describe('judgePrompt', () => {
  it('puts the rubric (variables filled), variables, reference and response (left as written) in, and asks for the score line', () => {
    const p = judgePrompt({ rubric: 'Be right about {{topic}}.', scale: 5 }, { output: 'It is {{x}}.', expected: 'Right.', variables: { topic: 'tides' } });
    expect(p.systemPrompt).toContain('SCORE: N/5');
    expect(p.userMessage).toBe(
      'RUBRIC:\nBe right about tides.\n\nINPUT VARIABLES:\ntopic: tides\n\nREFERENCE ANSWER:\nRight.\n\nRESPONSE:\nIt is {{x}}.\n\nGrade the RESPONSE now. Finish with "SCORE: N/5".',
    );
    expect(judgePrompt({ rubric: 'r', scale: 10 }, { output: 'o', expected: null, variables: {} }).userMessage).toBe('RUBRIC:\nr\n\nRESPONSE:\no\n\nGrade the RESPONSE now. Finish with "SCORE: N/10".');
  });
});

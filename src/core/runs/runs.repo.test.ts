// finish() returns the record without reading the row back: it must be exactly what a read returns, for
// every shape of run (local with adapters, remote, guarded, with and without metrics).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadSettings } from '../../shared/engine.schema';
import { SamplingParams } from '../../shared/runs.schema';
import { openDb, type Db } from '../db/openDb';
import { tempDir } from '../testing/testCore';
import { RunsRepo, type NewRun, type RunOutcome } from './runs.repo';

const opened: Db[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function repo(): { repo: RunsRepo; db: Db } {
  const db = openDb(join(tempDir('lamplight-runs-'), 'lamplight.db'));
  opened.push(db);
  db.pragma('foreign_keys = OFF'); // the local runs name a model M1 this test does not add
  return { repo: new RunsRepo(db), db };
}

const guard = { piiAction: 'mask' as const, piiCounts: { phone: 1 }, sentSystem: '', sentUser: 'call [PHONE_1]', output: null };
const base = (over: Partial<NewRun>): NewRun => ({
  id: 'R',
  source: 'eval',
  target: { kind: 'remote', targetId: 'T1', model: 'qwen' },
  modelId: null,
  modelName: 'box · qwen',
  systemPrompt: 'Be brief.',
  userMessage: 'Answer {{q}}',
  variables: { q: 'why "quotes"\n' },
  params: SamplingParams.parse({ temperature: 0, stop: ['\n\n'] }),
  loadSettings: null,
  jsonSchema: null,
  startedAt: 1_700_000_000_123,
  ...over,
});
const ended = (over: Partial<RunOutcome> = {}): RunOutcome => ({
  output: 'ok, done',
  renderedPrompt: null,
  stopReason: 'eos',
  error: null,
  promptTokens: 8,
  completionTokens: 3,
  ttftMs: 1.25,
  decodeTokPerSec: 42.5,
  finishedAt: 1_700_000_000_456,
  ...over,
});

describe('RunsRepo.finish', () => {
  it('returns the record a read of the row returns, for each shape of run', () => {
    const { repo: r } = repo();
    const cases: [NewRun, RunOutcome][] = [
      [base({ id: 'A' }), ended({ tpotMs: 0.5, itlMeanMs: 0.25, e2eMs: 3.3333, chunkTimesMs: [1.23456, 2.5], attempts: 2 })],
      [base({ id: 'B', guard, promptVersionId: null }), ended({ guard: { ...guard, output: { decision: 'flag', reasons: ['word "x"'] } } })],
      [base({ id: 'C', guard }), ended({ stopReason: 'error', error: 'boom', output: '', promptTokens: null, completionTokens: null, ttftMs: null, decodeTokPerSec: null })],
      [
        base({ id: 'D', source: 'playground', target: { kind: 'local', modelId: 'M1', adapters: [{ adapterId: 'AD', scale: 0.5 }] }, modelId: 'M1', modelName: 'm + AD@0.5', loadSettings: LoadSettings.parse({}), jsonSchema: '{"type":"object"}' }),
        ended({ renderedPrompt: '<|im_start|>user…', stopReason: 'maxTokens' }),
      ],
      [base({ id: 'E', source: 'api', target: { kind: 'local', modelId: 'M1' }, modelId: 'M1', variables: {} }), ended({ stopReason: 'abort' })],
    ];
    for (const [run, outcome] of cases) {
      r.insert(run);
      const returned = r.finish(run.id, outcome);
      expect(returned).toStrictEqual(r.get(run.id));
      expect(returned).toMatchObject({ id: run.id, status: 'done', finishedAt: outcome.finishedAt });
    }
    expect(r.get('A')?.chunkTimesMs).toEqual([1.23, 2.5]);
    expect(r.get('C')?.guard).toEqual(guard); // no new guard: the one stored at start stays
  });

  it('reads the row when it did not insert it (a run of another process, or one already finished)', () => {
    const { repo: r, db } = repo();
    r.insert(base({ id: 'X' }));
    const other = new RunsRepo(db);
    expect(other.finish('X', ended())).toStrictEqual(r.get('X'));
    expect(r.finish('missing', ended())).toBeNull();
  });
});

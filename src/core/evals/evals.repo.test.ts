// The evaluation tables on a real in-memory SQLite: the migration, cascades, and the plans of the queries
// a results view runs on every page and every A/B comparison.
import { afterEach, describe, expect, it } from 'vitest';
import { migration0050 } from '../db/migrations/0050-evals';
import { migrations } from '../db/migrations/index';
import { openDb, schemaVersion, type Db } from '../db/openDb';
import { csvField, rowScore } from './evalResults';
import { CELLS_SQL, PAIRS_SQL } from './evals.repo';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

// Works before and after migrations/index.ts lists migration0050.
const withEvals = [...migrations.filter((m) => m.version < migration0050.version), migration0050];

function db(): Db {
  const d = openDb(':memory:', withEvals);
  dbs.push(d);
  return d;
}

function plan(d: Db, sql: string, ...params: unknown[]): string {
  return (d.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
}

describe('migration 0050', () => {
  it('creates the tables; removing an evaluation removes its rows and cells', () => {
    const d = db();
    expect(schemaVersion(d)).toBe(50);
    d.exec(`
      INSERT INTO prompts VALUES ('p', 'P', '', NULL, NULL, 1, 1, NULL);
      INSERT INTO prompt_versions VALUES ('v', 'p', 1, NULL, NULL, '{}', '${'0'.repeat(64)}', '', 'me', 1);
      INSERT INTO evals VALUES ('e', 'E', '{}', '[]', '{}', NULL, 'pending', 1, NULL, NULL);
      INSERT INTO eval_rows VALUES ('e', 'r', 0, '{}', NULL, NULL);
      INSERT INTO eval_results (eval_id, version_id, target_key, row_id, pass, checks_json, finished_at) VALUES ('e', 'v', 'local:m', 'r', 1, '[]', 1);
    `);
    expect(() => d.exec("INSERT INTO eval_results (eval_id, version_id, target_key, row_id, pass, checks_json, finished_at) VALUES ('e', 'v', 'local:m', 'nope', 1, '[]', 1)")).toThrow(/FOREIGN KEY/);
    expect(() => d.exec("UPDATE evals SET status = 'paused'")).toThrow(/CHECK/);
    d.exec("DELETE FROM evals WHERE id = 'e'");
    expect(d.prepare('SELECT (SELECT count(*) FROM eval_rows) + (SELECT count(*) FROM eval_results) AS n').get()).toEqual({ n: 0 });
  });

  it('pages rows and pairs A/B cells through indexes, never a scan of all results', () => {
    const d = db();
    const cells = plan(d, CELLS_SQL, 'e', 0, 10);
    expect(cells).toMatch(/SEARCH r USING INDEX sqlite_autoindex_eval_rows_2 \(eval_id=\? AND position>\? AND position<\?\)/);
    expect(cells).toMatch(/SEARCH x USING INDEX eval_results_row \(eval_id=\? AND row_id=\?\)/);
    expect(cells).not.toMatch(/SCAN x|TEMP B-TREE/);
    const pairs = plan(d, PAIRS_SQL, 'e', 'a', 'k', 'b', 'k');
    expect(pairs).toMatch(/SEARCH a USING INDEX/);
    expect(pairs).toMatch(/SEARCH b USING INDEX/);
    expect(pairs).not.toMatch(/SCAN (a|b)\b/);
    expect(plan(d, 'SELECT count(*) FROM eval_results x WHERE x.eval_id = ? AND x.error IS NULL', 'e')).toMatch(/USING (COVERING )?INDEX|PRIMARY KEY/);
  });
});

describe('rowScore', () => {
  const check = (type: 'judge' | 'bleu' | 'rouge' | 'regex' | 'maxLatency', pass: boolean, score: number | null) => ({ type, pass, score, reason: '' });
  it('is pass as 0/1 without quality scores (latency is not quality)', () => {
    expect(rowScore([check('regex', true, null), check('maxLatency', true, 120)], true, null)).toBe(1);
    expect(rowScore([check('regex', false, null)], false, null)).toBe(0);
  });
  it('averages judge/scale, BLEU/100 and ROUGE F; a missing one counts 0', () => {
    expect(rowScore([check('judge', true, 8)], true, 10)).toBeCloseTo(0.8);
    expect(rowScore([check('bleu', true, 40), check('rouge', true, 0.6)], true, null)).toBeCloseTo(0.5);
    expect(rowScore([check('judge', false, null), check('rouge', true, 0.5)], false, 10)).toBeCloseTo(0.25);
  });
});

describe('csvField', () => {
  it('quotes delimiters, quotes, line breaks and edge spaces (RFC 4180), and leaves the rest', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(false)).toBe('false');
  });
});

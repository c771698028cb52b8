// Aggregates an evaluation's `fields` checks into per-field accuracy per (version, target), document
// accuracy (every scored field right: what the A/B verdict of evals.compare pairs when `fields` is the
// only check) and, per failing field, the rows with expected vs got and the row's image.
import type { Assertion } from '../../shared/assertions.schema';
import type { EvalResults } from '../../shared/evals.schema';
import type { ColumnFieldResults, FieldResults } from '../../shared/extraction.schema';
import { describeRule } from '../../shared/fieldScore';

const MAX_CONFUSIONS = 50;
const HASH = /^[0-9a-f]{64}$/;

/** The row's image: an `images` list (image test sets) or else the first variable holding an image hash. */
export function rowImageHash(row: EvalResults['rows'][number]): string | null {
  const images = (row as { images?: { hash: string }[] }).images;
  if (images?.[0]?.hash) return images[0].hash;
  return Object.values(row.variables).find((v) => HASH.test(v)) ?? null;
}

export function fieldResults(res: EvalResults): FieldResults {
  const assertion = res.eval.definition.assertions.find((a): a is Extract<Assertion, { type: 'fields' }> => a.type === 'fields');
  const rules = new Map<string, string>((assertion?.fields ?? []).map((f) => [f.name, describeRule(f)]));
  const columns: ColumnFieldResults[] = res.eval.columns.map((col, ci) => {
    const acc = new Map<string, ColumnFieldResults['fields'][number]>();
    let n = 0;
    let documentPassed = 0;
    let invalid = 0;
    for (const row of res.rows) {
      const cell = row.cells[ci];
      const check = cell && cell.error === null ? cell.checks.find((c) => c.type === 'fields') : undefined;
      if (!check?.fields) continue;
      n++;
      if (check.pass) documentPassed++;
      if (check.valid === false) invalid++;
      for (const f of check.fields) {
        if (!f.scored) continue;
        const top = f.field.replace(/\[.*$/, '');
        const a = acc.get(f.field) ?? { field: f.field, rule: rules.get(top) ?? '', n: 0, passed: 0, accuracy: null, confusions: [] };
        a.n++;
        if (f.pass) a.passed++;
        else if (a.confusions.length < MAX_CONFUSIONS) a.confusions.push({ position: row.position, expected: f.expected, got: f.got, reason: f.reason, imageHash: rowImageHash(row) });
        acc.set(f.field, a);
      }
    }
    const fields = [...acc.values()].map((a) => ({ ...a, accuracy: a.n ? a.passed / a.n : null }));
    return { versionId: col.versionId, targetKey: col.targetKey, label: `${col.promptName} v${col.versionNumber} · ${col.targetName}`, n, documentPassed, documentAccuracy: n ? documentPassed / n : null, invalid, fields };
  });
  return { evalId: res.eval.id, columns };
}

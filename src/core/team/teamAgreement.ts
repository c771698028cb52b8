// Agreement of an assignment's overlapped rows, per label field: the row status (nominal: accept/reject/
// skip), the 1–5 rating (Krippendorff ordinal) and each field of the dataset's label schema (nominal; a
// multi-choice answer compares as the set of options chosen). Pure over the stored answers.
import { cohenKappa, fleissKappa, krippendorffAlpha, percentAgreement, type Agreement, type RatingValue, type Unit } from '../../shared/agreement';
import type { LabelPatch, LabelSchema } from '../../shared/datasets.schema';
import type { AgreementPoint, AgreementReport, FieldAgreement, LabelerAgreement, Stat } from '../../shared/team.schema';

export interface Answer {
  rowId: number;
  labelerId: string;
  name: string;
  patch: LabelPatch;
  at: number;
}

interface FieldDef {
  field: string;
  level: 'nominal' | 'ordinal';
  value(p: LabelPatch): RatingValue | null;
}

export function labelFields(schema: LabelSchema): FieldDef[] {
  return [
    { field: 'status', level: 'nominal', value: (p) => p.status ?? null },
    { field: 'rating', level: 'ordinal', value: (p) => p.rating ?? null },
    ...schema.fields.map(
      (f): FieldDef => ({
        field: f.name,
        level: 'nominal',
        value: (p) => {
          const v = p.labels?.[f.name];
          if (v === undefined) return null;
          return Array.isArray(v) ? [...v].sort().join('|') : v;
        },
      }),
    ),
  ];
}

/** Fields on which the answers to one row differ (values given by at least two people that are not all equal). */
export function differingFields(answers: readonly Answer[], schema: LabelSchema): string[] {
  const defs: FieldDef[] = [...labelFields(schema), { field: 'response', level: 'nominal', value: (p) => p.response ?? null }];
  return defs
    .filter((d) => {
      const vs = answers.map((a) => d.value(a.patch)).filter((v) => v !== null);
      return new Set(vs).size > 1;
    })
    .map((d) => d.field);
}

const stat = (a: Agreement): Stat => ({ value: a.value, reason: a.reason, units: a.units });

function byRow(answers: readonly Answer[]): Map<number, Answer[]> {
  const rows = new Map<number, Answer[]>();
  for (const a of answers) {
    const list = rows.get(a.rowId) ?? [];
    list.push(a);
    rows.set(a.rowId, list);
  }
  return rows;
}

export function agreementReport(assignmentId: string, answers: readonly Answer[], schema: LabelSchema, bucketMs: number): AgreementReport {
  const rows = byRow(answers);
  const labelerIds = [...new Set(answers.map((a) => a.labelerId))];
  const names = new Map(answers.map((a) => [a.labelerId, a.name]));
  const defs = labelFields(schema);
  const units = (def: FieldDef, rs: Iterable<Answer[]>): Unit[] =>
    [...rs].map((list) => labelerIds.map((id) => {
      const a = list.find((x) => x.labelerId === id);
      return a ? def.value(a.patch) : null;
    }));

  const fields: FieldAgreement[] = defs.map((def) => {
    const us = units(def, rows.values());
    const present = us.map((u) => u.filter((v) => v !== null));
    const alpha = krippendorffAlpha(us, def.level);
    const cohen: Stat =
      labelerIds.length === 2
        ? stat(cohenKappa(us))
        : { value: null, reason: `Cohen's kappa compares two labelers; this assignment has ${labelerIds.length} (see Fleiss' kappa)`, units: 0 };
    return { field: def.field, level: def.level, labelers: labelerIds.length, percent: stat(percentAgreement(us)), cohen, fleiss: stat(fleissKappa(present)), alpha: stat(alpha) };
  });

  const labelers: LabelerAgreement[] = [];
  for (const id of labelerIds) {
    for (const def of defs) {
      const pairs: Unit[] = [];
      for (const list of rows.values()) {
        const mine = list.find((a) => a.labelerId === id);
        const v = mine ? def.value(mine.patch) : null;
        if (v === null) continue;
        for (const other of list) {
          if (other.labelerId === id) continue;
          const w = def.value(other.patch);
          if (w !== null) pairs.push([v, w]);
        }
      }
      const agree = pairs.filter(([x, y]) => x === y).length;
      labelers.push({ labelerId: id, name: names.get(id) ?? id, field: def.field, pairs: pairs.length, percent: pairs.length ? agree / pairs.length : null, kappa: stat(cohenKappa(pairs)) });
    }
  }

  return { assignmentId, units: [...rows.values()].filter((l) => l.length >= 2).length, fields, labelers, overTime: overTime(rows, defs, labelerIds, bucketMs) };
}

/** Per bucket of when a row's last answer arrived: percent agreement and alpha of the rows in it. */
function overTime(rows: Map<number, Answer[]>, defs: FieldDef[], labelerIds: string[], bucketMs: number): AgreementPoint[] {
  const buckets = new Map<number, Answer[][]>();
  for (const list of rows.values()) {
    if (list.length < 2) continue;
    const b = Math.floor(Math.max(...list.map((a) => a.at)) / bucketMs) * bucketMs;
    buckets.set(b, [...(buckets.get(b) ?? []), list]);
  }
  const out: AgreementPoint[] = [];
  for (const b of [...buckets.keys()].sort((x, y) => x - y)) {
    for (const def of defs) {
      const us: Unit[] = (buckets.get(b) as Answer[][]).map((list) => labelerIds.map((id) => {
        const a = list.find((x) => x.labelerId === id);
        return a ? def.value(a.patch) : null;
      }));
      const p = percentAgreement(us);
      if (p.units === 0) continue;
      out.push({ bucketStart: b, field: def.field, units: p.units, percent: p.value, alpha: krippendorffAlpha(us, def.level).value });
    }
  }
  return out;
}

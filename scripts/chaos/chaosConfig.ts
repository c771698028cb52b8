// What the parent tells a chaos child (as one JSON argument): the path it writes along and the ids set up for it.
export const PATHS = ['labels', 'import', 'runs', 'evals', 'audit'] as const;
export type ChaosPath = (typeof PATHS)[number];

interface Common {
  dataDir: string;
  /** Unique per child: names and notes it writes carry it, so the parent can tell writes apart. */
  tag: string;
  seed: number;
}

export type ChildConfig = Common &
  (
    | { path: 'labels'; datasetId: string; labelerId: string; firstRowId: number; rowCount: number }
    | { path: 'import'; file: string; rows: number }
    | { path: 'runs'; targetId: string; model: string }
    | { path: 'evals'; targetId: string; model: string; versionId: string; rows: number }
    | { path: 'audit'; labelerId: string }
  );

// What an evaluation needs before its form can be filled in, in the order to create it (pure).

export interface PrereqCounts {
  prompts: number;
  testSets: number;
  models: number;
  remoteTargets: number;
}

export interface Prereq {
  /** The view to go to, as the navigation names it. */
  view: 'Prompts' | 'Test sets' | 'Models';
  what: string;
}

export function missingPrereqs(c: PrereqCounts): Prereq[] {
  const out: Prereq[] = [];
  if (c.models === 0 && c.remoteTargets === 0) out.push({ view: 'Models', what: 'add a model (or a remote endpoint under Targets) to run the prompts on' });
  if (c.prompts === 0) out.push({ view: 'Prompts', what: 'save a prompt with {{variables}}; each saved version can be evaluated' });
  if (c.testSets === 0) out.push({ view: 'Test sets', what: 'create or import a test set whose columns are the prompt’s variables (and an expected output)' });
  return out;
}

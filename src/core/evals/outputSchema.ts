// An evaluation with a `fields` check constrains every case's output to the check's template schema:
// which schema, under what name, and how a target that refuses it is recognised (so the job can run the
// case again unconstrained and say so once).
import type { Assertion } from '../../shared/assertions.schema';
import type { EvalDefinition } from '../../shared/evals.schema';
import { templateJsonSchema } from '../../shared/fieldScore';
import type { RunRecord } from '../../shared/runs.schema';
import { CoreError } from '../errors';

export interface OutputConstraint {
  /** The template's name ("the fields check" when it names none). */
  name: string;
  jsonSchema: string;
}

/** Looks up an extraction template's name; null when there is no such template. */
export type TemplateNames = (templateId: string) => string | null;

/**
 * The schema of the first `fields` check, unless the user turned constraining off. The schema is the
 * check's own fields (what is scored), named after the template it came from.
 */
export function outputConstraint(def: Pick<EvalDefinition, 'assertions' | 'constrainOutput'>, names: TemplateNames | undefined): OutputConstraint | null {
  if (def.constrainOutput === false) return null;
  const i = def.assertions.findIndex((a) => a.type === 'fields');
  if (i < 0) return null;
  const a = def.assertions[i] as Extract<Assertion, { type: 'fields' }>;
  let name = 'the fields check';
  if (a.templateId !== undefined && names) {
    const found = names(a.templateId);
    if (found === null) throw new CoreError('BAD_INPUT', `assertions.${i}.templateId: no extraction template ${a.templateId}`);
    name = found;
  }
  return { name, jsonSchema: JSON.stringify(templateJsonSchema(a.fields)) };
}

/**
 * The target turned the request down because of the schema: a 400/422 from an OpenAI-compatible server
 * (one without json_schema / guided decoding), or a local grammar that could not be built. Other
 * failures (a 400 for the prompt's length, a dead server) fail the retry too and stay errors.
 */
export function refusedSchema(rec: RunRecord): boolean {
  if (rec.stopReason !== 'error' || !rec.error) return false;
  return /: (400|422) /.test(rec.error) || rec.error.startsWith('JSON schema cannot be used as a grammar');
}

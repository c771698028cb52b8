// Which schema an evaluation being defined will hold every output to: the first `fields` check's, named
// after its extraction template. Pure, so the form's line and the core's choice agree (outputSchema.test.ts).
import type { AssertionInput } from '../../../shared/assertions.schema';

export interface TemplateName {
  id: string;
  name: string;
}

/** The name the form shows ("Invoice"), or null when no `fields` check is there to take a schema from. */
export function formSchemaName(assertions: readonly AssertionInput[], templates: readonly TemplateName[]): string | null {
  const f = assertions.find((a) => a.type === 'fields');
  if (!f || f.type !== 'fields') return null;
  if (f.templateId === undefined) return 'the fields check';
  return templates.find((t) => t.id === f.templateId)?.name ?? 'the fields check';
}

/** "Output constrained to Invoice's schema" (or "to the fields check's schema"). */
export function constrainedLabel(name: string): string {
  return `Output constrained to ${name}'s schema`;
}

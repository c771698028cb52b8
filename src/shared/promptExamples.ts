// The example prompt templates a user can start from, shipped as data in resources/prompts/examples/.
// Each file is { name, description, content } with content in the PromptContent shape; it is parsed here,
// so a broken file fails loudly at start (and in promptExamples.test.ts) rather than when picked.
import classify from '../../resources/prompts/examples/classify.json';
import extractFields from '../../resources/prompts/examples/extract-fields.json';
import fewShotQa from '../../resources/prompts/examples/few-shot-qa.json';
import rewriteTone from '../../resources/prompts/examples/rewrite-tone.json';
import summarise from '../../resources/prompts/examples/summarise.json';
import { PromptContent } from './prompts.schema';

export interface PromptExample {
  /** The file's name without .json: stable, for test ids. */
  id: string;
  name: string;
  description: string;
  content: PromptContent;
}

interface ExampleFile {
  name: string;
  description: string;
  content: unknown;
}

/** The files, in the order the picker shows them. */
export const EXAMPLE_FILES: ReadonlyArray<readonly [string, ExampleFile]> = [
  ['summarise', summarise],
  ['extract-fields', extractFields],
  ['classify', classify],
  ['rewrite-tone', rewriteTone],
  ['few-shot-qa', fewShotQa],
];

export const PROMPT_EXAMPLES: readonly PromptExample[] = EXAMPLE_FILES.map(([id, f]) => ({
  id,
  name: f.name,
  description: f.description,
  content: PromptContent.parse(f.content),
}));

/** The example's name, or "name (2)", "name (3)"… when the library already has a prompt by that name. */
export function freeName(name: string, taken: readonly string[]): string {
  const used = new Set(taken.map((t) => t.trim().toLowerCase()));
  if (!used.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) if (!used.has(`${name} (${n})`.toLowerCase())) return `${name} (${n})`;
}

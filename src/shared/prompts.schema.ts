// The prompt library: chat templates with Git-like immutable versions, movable labels and forks.
import { z } from 'zod';
import { Empty, type CommandSpec, type EventSpec } from './commandSpec';
import { Id } from './ids';
import { RunTarget, SamplingParams } from './runs.schema';

export const MessageRole = z.enum(['system', 'user', 'assistant']);
export type MessageRole = z.infer<typeof MessageRole>;

export const PromptMessage = z.object({ role: MessageRole, content: z.string().max(200_000) });
export type PromptMessage = z.infer<typeof PromptMessage>;

export const FewShotExample = z.object({ input: z.string().max(100_000), output: z.string().max(100_000) });
export type FewShotExample = z.infer<typeof FewShotExample>;

export const OutputConstraints = z.object({
  /** Free text, e.g. "a Markdown bullet list". */
  format: z.string().max(10_000).default(''),
  maxWords: z.number().int().min(1).max(100_000).nullable().default(null),
  /** JSON Schema text: rendered as an instruction, and later used for constrained decoding. */
  jsonSchema: z.string().max(200_000).nullable().default(null),
});
export type OutputConstraints = z.infer<typeof OutputConstraints>;

export const ToolName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'tool names are a letter or _ then letters, digits, _ . - (64 at most)');

export const ReactLayout = z.object({
  enabled: z.boolean().default(false),
  tools: z
    .array(ToolName)
    .max(32)
    .refine((t) => new Set(t).size === t.length, 'tool names must be unique')
    .default([]),
});
export type ReactLayout = z.infer<typeof ReactLayout>;

/**
 * What one version stores (and hashes). Messages are the template; the building blocks are kept as
 * fields and composed into the messages by promptRender.ts. Target and sampling are versioned too: a
 * temperature change is a prompt change.
 */
export const PromptContent = z
  .object({
    /** At most one system message, first; the last message is the user message a run answers. */
    messages: z.array(PromptMessage).min(1).max(100),
    /** Persona line prepended to the system message, e.g. "You are a careful legal editor." */
    persona: z.string().max(10_000).default(''),
    /** Context block put before the final user message's text, e.g. "Context:\n{{context}}". */
    context: z.string().max(1_000_000).default(''),
    output: OutputConstraints.prefault({}),
    chainOfThought: z.boolean().default(false),
    /** Rendered as user/assistant turns before the final user message. */
    examples: z.array(FewShotExample).max(100).default([]),
    react: ReactLayout.prefault({}),
    target: RunTarget.nullable().default(null),
    params: SamplingParams.prefault({}),
  })
  .superRefine((c, ctx) => {
    c.messages.forEach((m, i) => {
      if (m.role === 'system' && i !== 0) {
        ctx.addIssue({ code: 'custom', path: ['messages', i, 'role'], message: 'a system message may only be the first message' });
      }
    });
    if (c.messages.length > 0 && c.messages.at(-1)?.role !== 'user') {
      ctx.addIssue({ code: 'custom', path: ['messages', c.messages.length - 1, 'role'], message: 'the last message must be the user message a run answers' });
    }
  });
export type PromptContent = z.infer<typeof PromptContent>;
export type PromptContentInput = z.input<typeof PromptContent>;

/** production, candidate, or any lowercase slug; "latest" always means the newest version, so it is not a label. */
export const LabelName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'labels are lowercase slugs: a letter, then letters, digits or - (40 at most)')
  .refine((l) => l !== 'latest', '"latest" always means the newest version and cannot be set');

const Name = z.string().trim().min(1).max(200);
const Description = z.string().max(5_000);
const Message = z.string().trim().max(2_000).default('');
/** Who wrote a version or moved a label: the author's name. */
const Author = z.string().trim().min(1).max(100);

export const ForkedFrom = z.object({ promptId: Id, versionId: Id });

export const PromptVersionSummary = z.object({
  id: Id,
  promptId: Id,
  number: z.number().int(),
  parentId: Id.nullable(),
  /** Set when this version copies an older one (prompts.restore). */
  restoredFromId: Id.nullable(),
  /** sha256 of the canonical JSON of the content. */
  contentHash: z.string(),
  message: z.string(),
  author: z.string(),
  createdAt: z.number(),
  /** Labels pointing at this version now. */
  labels: z.array(z.string()),
});
export type PromptVersionSummary = z.infer<typeof PromptVersionSummary>;

export const PromptVersion = PromptVersionSummary.extend({
  content: PromptContent,
  /** {{variables}} the content uses, in order of first appearance. */
  variables: z.array(z.string()),
  /** {{image:name}} variables the content uses (filled with a stored image's hash), in order; not in `variables`. */
  imageVariables: z.array(z.string()),
});
export type PromptVersion = z.infer<typeof PromptVersion>;

export const PromptLabel = z.object({
  label: z.string(),
  versionId: Id,
  versionNumber: z.number().int(),
  setAt: z.number(),
  setBy: z.string(),
});
export type PromptLabel = z.infer<typeof PromptLabel>;

export const PromptInfo = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  createdAt: z.number(),
  /** Last save, restore or rename. */
  updatedAt: z.number(),
  forkedFrom: ForkedFrom.nullable(),
  latest: PromptVersionSummary,
  labels: z.array(PromptLabel),
});
export type PromptInfo = z.infer<typeof PromptInfo>;

export const LabelEvent = z.object({
  id: Id,
  promptId: Id,
  label: z.string(),
  /** null: the label was new. */
  fromVersionId: Id.nullable(),
  /** null: the label was removed. */
  toVersionId: Id.nullable(),
  author: z.string(),
  movedAt: z.number(),
});
export type LabelEvent = z.infer<typeof LabelEvent>;

export const RenderedMessage = z.object({ role: MessageRole, content: z.string() });
export type RenderedMessage = z.infer<typeof RenderedMessage>;

export const PlaygroundFields = z.object({ systemPrompt: z.string(), userMessage: z.string() });
export type PlaygroundFields = z.infer<typeof PlaygroundFields>;

export const RenderedPromptVersion = z.object({
  versionId: Id,
  messages: z.array(RenderedMessage),
  missingVariables: z.array(z.string()),
  /** {{image:name}} variables the messages use; they stay as written (a run fills them with imageVariables). */
  imageVariables: z.array(z.string()),
  /** The same messages for the system + user playground (few-shot turns inlined as text). */
  playground: PlaygroundFields,
  jsonSchema: z.string().nullable(),
  target: RunTarget.nullable(),
  params: SamplingParams,
});
export type RenderedPromptVersion = z.infer<typeof RenderedPromptVersion>;

const DiffSide = z.object({ versionId: Id, promptId: Id, number: z.number().int(), text: z.string() });

export const PromptDiff = z.object({
  /** Canonical readable text of each version, for Monaco's diff editor. */
  from: DiffSide,
  to: DiffSide,
  /** Lines only in `to` / only in `from` (a minimal line diff). */
  added: z.number().int(),
  removed: z.number().int(),
});
export type PromptDiff = z.infer<typeof PromptDiff>;

export const CreatePrompt = z.object({
  name: Name,
  description: Description.default(''),
  content: PromptContent,
  message: Message,
  author: Author,
});
export type CreatePrompt = z.infer<typeof CreatePrompt>;
export type CreatePromptInput = z.input<typeof CreatePrompt>;

export const SaveVersion = z.object({
  promptId: Id,
  /** The version the edit started from; it must still be the latest (optimistic concurrency). */
  parentId: Id,
  content: PromptContent,
  message: Message,
  author: Author,
});
export type SaveVersion = z.infer<typeof SaveVersion>;

export const ForkPrompt = z.object({
  versionId: Id,
  name: Name,
  description: Description.optional(),
  message: Message,
  author: Author,
});
export type ForkPrompt = z.infer<typeof ForkPrompt>;

const Created = z.object({ prompt: PromptInfo, version: PromptVersion });

export const promptsCommands = {
  'prompts.list': { input: Empty, output: z.array(PromptInfo), permission: 'view' },
  'prompts.create': { input: CreatePrompt, output: Created, permission: 'editPrompts' },
  'prompts.get': {
    input: z.object({ promptId: Id }),
    output: z.object({ prompt: PromptInfo, versions: z.array(PromptVersionSummary), latest: PromptVersion }),
    permission: 'view',
  },
  'prompts.version': { input: z.object({ versionId: Id }), output: PromptVersion, permission: 'view' },
  /** CONFLICT when the content equals the parent's, or when parentId is not the latest version. */
  'prompts.saveVersion': { input: SaveVersion, output: PromptVersion, permission: 'editPrompts' },
  'prompts.diff': { input: z.object({ fromVersionId: Id, toVersionId: Id }), output: PromptDiff, permission: 'view' },
  /** A new latest version with the old version's content; history is never rewritten. */
  'prompts.restore': { input: z.object({ versionId: Id, message: Message, author: Author }), output: PromptVersion, permission: 'editPrompts' },
  'prompts.fork': { input: ForkPrompt, output: Created, permission: 'editPrompts' },
  /** Moves the label to this version (a no-op if it is already there); every move is recorded. */
  'prompts.setLabel': { input: z.object({ versionId: Id, label: LabelName, author: Author }), output: z.array(PromptLabel), permission: 'editPrompts' },
  'prompts.removeLabel': { input: z.object({ promptId: Id, label: LabelName, author: Author }), output: z.array(PromptLabel), permission: 'editPrompts' },
  'prompts.labelHistory': {
    input: z.object({ promptId: Id, label: LabelName.optional(), limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.array(LabelEvent),
    permission: 'view',
  },
  /** Name and description are library metadata, not versioned content. */
  'prompts.rename': { input: z.object({ promptId: Id, name: Name, description: Description.optional() }), output: PromptInfo, permission: 'editPrompts' },
  /** Soft delete: the prompt leaves the library and frees its name; its versions stay immutable. */
  'prompts.remove': { input: z.object({ promptId: Id }), output: z.object({ removed: z.boolean() }), permission: 'editPrompts' },
  'prompts.render': {
    input: z.object({ versionId: Id, variables: z.record(z.string(), z.string().max(1_000_000)).default({}) }),
    output: RenderedPromptVersion,
    permission: 'view',
  },
} as const satisfies Record<string, CommandSpec>;

export type PromptCommands = typeof promptsCommands;
export type PromptCommandName = keyof PromptCommands;

export const promptsEvents = {} as const satisfies Record<string, EventSpec>;

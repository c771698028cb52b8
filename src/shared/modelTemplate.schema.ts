// A model's chat template as stored in its GGUF file, and what it makes of a sample conversation.
import { z } from 'zod';
import { Id } from './schemas';

export const TemplateTurn = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

export const ModelTemplate = z.object({
  /** The Jinja text from tokenizer.chat_template; null when the file has none. */
  template: z.string().nullable(),
  /** The chat format Lamplight applies (node-llama-cpp's wrapper name), e.g. "ChatML". */
  format: z.string(),
  sample: z.array(TemplateTurn),
  /** The sample as the model sees it, ending where the model starts answering. */
  rendered: z.string(),
});
export type ModelTemplate = z.infer<typeof ModelTemplate>;

export const modelTemplateCommands = {
  'models.template': { input: z.object({ modelId: Id }), output: ModelTemplate },
} as const;

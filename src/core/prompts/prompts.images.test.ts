// A version's image variables: listed apart from its text variables, in the version and in its render.
import { afterEach, expect, it } from 'vitest';
import { CreatePrompt, PromptVersion, RenderedPromptVersion } from '../../shared/prompts.schema';
import { migrations } from '../db/migrations/index';
import { openDb, type Db } from '../db/openDb';
import { PromptsRepo } from './prompts.repo';
import { PromptsService } from './prompts.service';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

it('{{image:receipt}} makes an image variable "receipt", listed apart from the text variables', () => {
  const db = openDb(':memory:', migrations);
  dbs.push(db);
  const svc = new PromptsService(new PromptsRepo(db));
  const { version } = svc.create(CreatePrompt.parse({
    name: 'Receipts',
    description: '',
    content: {
      messages: [
        { role: 'system', content: 'Read receipts in {{currency}}.' },
        { role: 'user', content: '{{image:receipt}}\nTotal? Compare with {{image:stamp}} and {{image:receipt}}.' },
      ],
    },
    message: '',
    author: 'ada',
  }));
  const v = PromptVersion.parse(svc.version(version.id));
  expect(v.variables).toEqual(['currency']);
  expect(v.imageVariables).toEqual(['receipt', 'stamp']);
  const r = RenderedPromptVersion.parse(svc.render(version.id, { currency: 'EUR' }));
  expect(r.imageVariables).toEqual(['receipt', 'stamp']);
  // The placeholders stay for the run, which fills them from imageVariables.
  expect(r.playground.userMessage).toContain('{{image:receipt}}');
  expect(r.missingVariables).toEqual([]);
});

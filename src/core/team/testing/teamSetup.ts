// A real core with a dataset of `rows` rows, a label schema, and labeler profiles, for the team tests.
import type { Core } from '../../createCore';
import { writeMessagesFile } from '../../datasets/testing/files';
import { openTestCore, tempDir } from '../../testing/testCore';

export async function teamSetup(rows: number, labelers: string[]) {
  const dir = tempDir('lamplight-team-');
  const core: Core = openTestCore({ dataDir: dir });
  const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(dir, rows), name: 'team' });
  await core.invoke('datasets.setLabelSchema', {
    datasetId: dataset.id,
    schema: { fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech', 'other'] }, { name: 'flags', kind: 'multi', options: ['rude', 'pii', 'off'] }] },
  });
  const people = [];
  for (const name of labelers) people.push(await core.invoke('profiles.create', { name, role: 'labeler' }));
  const as = (profileId: string) => ({
    async call<T = unknown>(name: string, input: unknown): Promise<T> {
      const r = await core.dispatch(name, input, { profileId });
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.value as T;
    },
    dispatch: (name: string, input: unknown) => core.dispatch(name, input, { profileId }),
  });
  return { core, dir, datasetId: dataset.id, people, as };
}

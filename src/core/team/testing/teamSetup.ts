// A real core with a dataset of `rows` rows, a label schema, and labeler profiles, for the team tests.
import type { Profile } from '../../../shared/profiles.schema';
import type { Core } from '../../createCore';
import { writeMessagesFile } from '../../datasets/testing/files';
import { openTestCore, tempDir } from '../../testing/testCore';

/** `people` has one profile per name given, in order (a tuple, so tests destructure it without casts). */
export async function teamSetup<const N extends readonly string[]>(rows: number, labelers: N) {
  const dir = tempDir('lamplight-team-');
  const core: Core = openTestCore({ dataDir: dir });
  const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(dir, rows), name: 'team' });
  await core.invoke('datasets.setLabelSchema', {
    datasetId: dataset.id,
    schema: { fields: [{ name: 'topic', kind: 'single', options: ['billing', 'tech', 'other'] }, { name: 'flags', kind: 'multi', options: ['rude', 'pii', 'off'] }] },
  });
  const list: Profile[] = [];
  for (const name of labelers) list.push(await core.invoke('profiles.create', { name, role: 'labeler' }));
  const people = list as unknown as { [K in keyof N]: Profile };
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

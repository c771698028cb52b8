// A small real workspace for backup tests: a model copied inside the data folder, one outside it, a dataset,
// and audit records; plus a digest of every file in a folder, to prove a refused restore changed nothing.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Core } from '../../createCore';
import { writeMessagesFile } from '../../datasets/testing/files';
import { ensureFixtureModels } from '../../fixtures/ensureFixtures';
import { openTestCore, tempDir } from '../../testing/testCore';

export async function makeWorkspace(dataDir = tempDir('lamplight-bk-')): Promise<{ core: Core; dataDir: string; insideModel: string; outsideModel: string; datasetId: string }> {
  const fx = await ensureFixtureModels(undefined, ['tinyQ8_0', 'tinyF16']);
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  const insideModel = join(dataDir, 'models', 'tiny-inside.gguf');
  copyFileSync(fx.tinyQ8_0, insideModel);
  const core = openTestCore({ dataDir });
  await core.invoke('models.add', { path: insideModel });
  await core.invoke('models.add', { path: fx.tinyF16 });
  const src = tempDir('lamplight-bk-src-');
  const { dataset } = await core.invoke('datasets.import', { path: writeMessagesFile(src, 50), name: 'chats' });
  // Two policy records in the audit log.
  const policy = await core.invoke('guard.getPolicy', {});
  await core.invoke('guard.setPolicy', { policy });
  await core.invoke('guard.setPolicy', { policy });
  await core.models.idle();
  return { core, dataDir, insideModel, outsideModel: fx.tinyF16, datasetId: dataset.id };
}

/** sha256 of every file under dir, by relative path. */
export function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const p = join(d.parentPath, d.name);
    out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

// Writes the generated GGUF fixtures once before any test file runs.
import { ensureFixtureModels } from '../fixtures/ensureFixtures';

export default async function setup(): Promise<void> {
  await ensureFixtureModels();
}

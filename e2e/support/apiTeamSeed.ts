// Seeds a data folder for apiTeam.e2e.ts through a real core, in its own process: Playwright's loader
// cannot import the core (its JSON resources need import attributes). Args: DATA_DIR MODEL_PATH.
import { createCore } from '../../src/core/createCore';

const [dataDir, modelPath] = process.argv.slice(2) as [string, string];
const core = createCore({ dataDir, version: '0.0.0-test', transport: 'browser-host' });
const model = await core.invoke('models.add', { path: modelPath });
await core.invoke('profiles.create', { name: 'Kim', role: 'prompt_engineer' });
// A price for the local model, so a key's usage has a cost and its budget can be reached.
await core.invoke('costs.set', { targetKey: `local:${model.id}`, label: 'tiny', profile: { kind: 'api', currency: '€', inputPer1M: 10_000, outputPer1M: 10_000 } });
await core.models.idle();
await core.close();

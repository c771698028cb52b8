// Loading the model a run needs before it starts: it reads the engine and models stores, so it lives beside
// them below the features, where the Playground and Compare both reach it.
import { useEngineStore } from './engine.store';
import { defaultLoadForm, parseLoadForm } from './loadForm';
import { useModelsStore } from './models.store';
import type { ShownError } from './errors';

/** Why a run could not start, shown above the output. */
export interface RunProblem {
  title: string;
  error: ShownError;
}

/** Resolves once the engine is no longer loading (another model's load must finish before ours starts). */
function engineSettled(): Promise<void> {
  const busy = (): boolean => useEngineStore.getState().status?.state === 'loading' || useEngineStore.getState().loadingModelId !== null;
  if (!busy()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = useEngineStore.subscribe(() => {
      if (!busy()) {
        off();
        resolve();
      }
    });
  });
}

/**
 * Makes sure `modelId` is the loaded model: loads it with the settings from the Models view if someone set
 * them there, else the defaults. Lives outside the stores because it needs three of them.
 */
export async function ensureModelLoaded(modelId: string): Promise<RunProblem | null> {
  await engineSettled();
  const { status, info, load } = useEngineStore.getState();
  if (status?.state === 'ready' && status.modelId === modelId) return null;
  const { models, loadForms } = useModelsStore.getState();
  const model = models.find((m) => m.id === modelId);
  if (!model) return { title: 'Model not in the library', error: { code: 'NOT_FOUND', message: 'Pick a model from the list, or add it again in Models.' } };
  const parsed = parseLoadForm(loadForms[modelId] ?? defaultLoadForm(model, info?.availableParallelism));
  const ok = await load(modelId, parsed.ok ? parsed.settings : {});
  if (ok) return null;
  const failure = useEngineStore.getState().loadFailure;
  return {
    title: `Could not load ${model.fileName}`,
    error: failure?.error ?? { code: 'ENGINE', message: 'The engine did not report why.' },
  };
}

// The training.package request from the Fine-tune form, checked against the contract's schema so ranges
// are said once. Loads zod: only the (lazily loaded) view imports it.
import { TrainingPackageRequest, type TrainingPackageRequestInput } from '../../../shared/training.schema';
import { NUMERIC_FIELDS, splitModules, type FormErrors, type NumericKey, type PackageForm } from './trainingForm';

export type BuiltPackage = { ok: true; request: TrainingPackageRequestInput } | { ok: false; errors: FormErrors };

/** The training.package request, or a message per field; ranges come from the contract's own schema. */
export function buildPackageRequest(f: PackageForm): BuiltPackage {
  const errors: FormErrors = {};
  const numbers = {} as Record<NumericKey, number>;
  for (const field of NUMERIC_FIELDS) {
    const raw = f.numbers[field.key].trim();
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) errors[field.key] = 'a number';
    else if (field.integer && !Number.isInteger(n)) errors[field.key] = 'a whole number';
    else numbers[field.key] = n;
  }
  if (!f.datasetId) errors.datasetId = 'Choose a dataset.';
  if (!f.baseModelId) errors.baseModelId = 'Choose the GGUF the adapter will run on.';
  if (!f.trainBaseModel.trim()) errors.trainBaseModel = 'Give the Hugging Face id or folder of the unquantized model.';
  if (!f.outDir.trim()) errors.outDir = 'Give a folder for the package.';
  if (Object.keys(errors).length) return { ok: false, errors };

  const request: TrainingPackageRequestInput = {
    datasetId: f.datasetId,
    split: f.split,
    baseModelId: f.baseModelId,
    trainBaseModel: f.trainBaseModel.trim(),
    hyperparameters: { method: f.method, precision: f.precision, targetModules: splitModules(f.targetModules), ...numbers },
    outDir: f.outDir.trim(),
  };
  const checked = TrainingPackageRequest.safeParse(request);
  if (checked.success) return { ok: true, request };
  for (const issue of checked.error.issues) {
    const key = (issue.path[0] === 'hyperparameters' ? issue.path[1] : issue.path[0]) as keyof FormErrors;
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}


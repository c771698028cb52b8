import { describe, expect, it } from 'vitest';
import { Hyperparameters } from '../../../shared/training.schema';
import { buildPackageRequest } from './packageRequest';
import {
  addLossPoint, appendLog, DEFAULT_COMMAND, defaultCommand, defaultPackageForm, HYPER_DEFAULTS, lossPolyline, rowsAdvice, stepFraction, type PackageForm,
} from './trainingForm';

const filled = (): PackageForm => ({ ...defaultPackageForm(), datasetId: 'D1', baseModelId: 'M1', trainBaseModel: ' org/model ', outDir: '/tmp/run' });

describe('the package form', () => {
  it('starts from the contract’s hyperparameter defaults', () => {
    expect(HYPER_DEFAULTS).toEqual(Hyperparameters.parse({}));
  });
  it('builds a request the contract accepts', () => {
    const built = buildPackageRequest({ ...filled(), targetModules: 'q_proj, k_proj v_proj', split: 'all' });
    expect(built.ok).toBe(true);
    if (built.ok) {
      expect(built.request).toMatchObject({ datasetId: 'D1', split: 'all', trainBaseModel: 'org/model', outDir: '/tmp/run' });
      expect(built.request.hyperparameters).toEqual({ ...HYPER_DEFAULTS, targetModules: ['q_proj', 'k_proj', 'v_proj'] });
    }
  });
  it('names each missing or bad field', () => {
    const built = buildPackageRequest({ ...defaultPackageForm(), numbers: { ...defaultPackageForm().numbers, r: '1.5', epochs: 'x' } });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors).sort()).toEqual(['baseModelId', 'datasetId', 'epochs', 'outDir', 'r', 'trainBaseModel']);
  });
  it('takes ranges from the contract', () => {
    const f = filled();
    const built = buildPackageRequest({ ...f, numbers: { ...f.numbers, dropout: '0.95' }, targetModules: 'q-proj' });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors).sort()).toEqual(['dropout', 'targetModules']);
  });
});

describe('a running training', () => {
  it('keeps the last lines of the log', () => {
    expect(appendLog(['a', 'b'], ['c', 'd'], 3)).toEqual(['b', 'c', 'd']);
    const tail = ['a'];
    expect(appendLog(tail, [])).toBe(tail);
  });
  it('collects loss per step, replacing a repeated step and restarting on a lower one', () => {
    let pts = addLossPoint([], 1, 2.5);
    pts = addLossPoint(pts, 2, 2.0);
    pts = addLossPoint(pts, 2, 1.9);
    pts = addLossPoint(pts, null, 1);
    expect(pts).toEqual([{ step: 1, loss: 2.5 }, { step: 2, loss: 1.9 }]);
    expect(addLossPoint(pts, 1, 3)).toEqual([{ step: 1, loss: 3 }]);
  });
  it('draws the loss line inside its box, high loss at the top', () => {
    expect(lossPolyline([{ step: 1, loss: 1 }], 100, 50)).toBeNull();
    const line = lossPolyline([{ step: 0, loss: 2 }, { step: 10, loss: 1 }], 100, 50, 5);
    expect(line).toEqual({ points: '5.0,5.0 95.0,45.0', min: 1, max: 2 });
  });
  it('suggests the package’s own train script', () => {
    expect(defaultCommand(['scripts/train-llamafactory.sh', 'scripts/train-peft.sh', 'scripts/convert.sh'])).toBe('bash scripts/train-peft.sh');
    expect(defaultCommand(['scripts/train-llamafactory.sh'])).toBe('bash scripts/train-llamafactory.sh');
    expect(defaultCommand(['/tmp/run/train.sh'])).toBe('bash train.sh');
    expect(defaultCommand([])).toBe(DEFAULT_COMMAND);
  });
  it('turns steps into a fraction', () => {
    expect(stepFraction(5, 10)).toBe(0.5);
    expect(stepFraction(null, 10)).toBeNull();
    expect(stepFraction(3, 0)).toBeNull();
  });
});

describe('the rows to train on', () => {
  it('defaults to the train split only when it has rows, and says why not otherwise', () => {
    expect(defaultPackageForm().split).toBe('train');
    expect(rowsAdvice(null)).toEqual({ split: null, note: null });
    expect(rowsAdvice({ train: 8, accepted: 2 })).toEqual({ split: 'train', note: null });
    const noSplit = rowsAdvice({ train: 0, accepted: 5 });
    expect(noSplit.split).toBe('all');
    expect(noSplit.note).toMatch(/^No rows are in the train split yet — split the dataset in Datasets/);
    const nothing = rowsAdvice({ train: 0, accepted: 0 });
    expect(nothing.split).toBe('all');
    expect(nothing.note).toMatch(/No rows are accepted yet/);
  });
});

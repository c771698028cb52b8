// training.package: a folder a person (or a GPU box) can train from — the dataset's rows in the formats
// LLaMA-Factory and TRL read, both trainers' configs, the GGUF conversion step, a README and the provenance.
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AdapterProvenance } from '../../shared/adapters.schema';
import type { TrainingPackageRequest } from '../../shared/training.schema';
import { RowFilter, type DatasetInfo, type ExportOut, type ExportRequest, type RowPage } from '../../shared/datasets.schema';
import type { ModelInfo } from '../../shared/models.schema';
import { qwenVlFinetuneRow, type QwenVlRow } from '../datasets/io/imageExporters';
import { CoreError } from '../errors';
import { sha256File } from '../models/hashQueue';
import {
  convertScript,
  guessTemplate,
  guessVisionTemplate,
  llamaFactoryYaml,
  PACKAGE_PATHS,
  peftRequirements,
  peftScript,
  readme,
  trainScript,
  type PackageSettings,
} from './packageFiles';

/** The parts of the datasets and models services a package needs. */
export interface PackageSources {
  datasets: {
    get(id: string): DatasetInfo;
    rows(id: string, filter: RowFilter, offset: number, limit: number, countCap: number): RowPage;
    /** ranking false: SFT data even when rows also hold a chosen/rejected pair (the chosen answer is learnt). */
    export(req: ExportRequest, opts?: { ranking?: boolean }): Promise<ExportOut>;
  };
  models: { get(id: string): ModelInfo };
}

export interface WrittenPackage {
  dir: string;
  /** Relative to dir, in the order written. */
  files: string[];
  provenance: AdapterProvenance;
}

/** A file-safe name for the dataset entry and data files: letters, digits, _ and -. */
export function dataNameOf(datasetName: string): string {
  const slug = datasetName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return slug === '' ? 'dataset' : slug;
}

/** Refuses a folder with anything in it: a package never mixes with (or overwrites) other files. */
async function ensureEmptyDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await mkdir(dir, { recursive: true });
      return;
    }
    if (code === 'ENOTDIR') throw new CoreError('BAD_INPUT', `outDir: ${dir} is a file, not a folder`);
    throw new CoreError('BAD_INPUT', `outDir: cannot read ${dir}: ${(e as Error).message}`);
  }
  if (entries.length > 0) {
    throw new CoreError('CONFLICT', `outDir: ${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); choose a new or empty folder for the training package`);
  }
}

/** Which rows train: the train split when asked and the dataset has one, otherwise every accepted row. */
function trainFilter(sources: PackageSources, req: TrainingPackageRequest): { filter: RowFilter; label: string } {
  if (req.split === 'train') {
    const filter = RowFilter.parse({ split: 'train', status: null });
    if (sources.datasets.rows(req.datasetId, filter, 0, 1, 1).total > 0) return { filter, label: 'the train split' };
  }
  return { filter: RowFilter.parse({ status: 'accepted' }), label: 'accepted rows' };
}

/**
 * Image datasets: the messages file again in the layout QwenLM's qwen-vl-finetune reads. Returns why it was
 * not written (a system prompt it has no turn for), or null once written and listed in files.
 */
async function writeQwenVl(dir: string, dataName: string, files: string[]): Promise<string | null> {
  const lines = (await readFile(join(dir, PACKAGE_PATHS.messages(dataName)), 'utf8')).split('\n').filter((l) => l !== '');
  const rows: QwenVlRow[] = [];
  for (const [i, line] of lines.entries()) {
    const row = qwenVlFinetuneRow(JSON.parse(line) as { messages: { role: string; content: unknown }[] });
    if (row === null) return `row ${i + 1} has a system prompt, and qwen-vl-finetune reads only human and gpt turns`;
    rows.push(row);
  }
  await writeFile(join(dir, PACKAGE_PATHS.qwenVl(dataName)), `${JSON.stringify(rows, null, 1)}\n`);
  files.push(PACKAGE_PATHS.qwenVl(dataName));
  return null;
}

export async function writeTrainingPackage(sources: PackageSources, trainingId: string, req: TrainingPackageRequest): Promise<WrittenPackage> {
  const dataset = sources.datasets.get(req.datasetId);
  const model = sources.models.get(req.baseModelId);
  const { filter, label } = trainFilter(sources, req);
  if (sources.datasets.rows(req.datasetId, filter, 0, 1, 1).total === 0) {
    throw new CoreError('BAD_INPUT', `datasetId: dataset "${dataset.name}" has no rows to train on (${label}: 0); accept rows in the labeler, then package again`);
  }
  // An image dataset needs a vision-language base model, else the images would be dropped in training.
  const vision = dataset.importReport?.images !== undefined;
  const visionTemplate = vision ? guessVisionTemplate(req.trainBaseModel, model.metadata.name) : null;
  if (vision && !visionTemplate) {
    throw new CoreError('BAD_INPUT', `trainBaseModel: dataset "${dataset.name}" holds images, but "${req.trainBaseModel}" is not a vision-language model LLaMA-Factory trains with images (e.g. Qwen/Qwen2-VL-2B-Instruct, Qwen2.5-VL, LLaVA, Gemma 3)`);
  }
  const dir = resolve(req.outDir);
  await ensureEmptyDir(dir);
  const files: string[] = [];
  const write = async (rel: string, text: string, executable = false) => {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    if (executable) await chmod(path, 0o755);
    files.push(rel);
  };
  try {
    const dataName = dataNameOf(dataset.name);
    await mkdir(join(dir, 'data'), { recursive: true });
    const lf = await sources.datasets.export({ datasetId: dataset.id, format: vision ? 'llamafactory-vision' : 'llamafactory', path: join(dir, PACKAGE_PATHS.data(dataName)), filter, pii: 'keep', dropDuplicates: false, name: dataName }, { ranking: false });
    if (lf.rows === 0) {
      throw new CoreError('BAD_INPUT', `datasetId: dataset "${dataset.name}" has no rows with an answer to train on (${label}; ${lf.skipped.noAnswer} without an answer)`);
    }
    files.push(PACKAGE_PATHS.data(dataName), PACKAGE_PATHS.datasetInfo);
    if (vision) files.push(PACKAGE_PATHS.images);
    await sources.datasets.export({ datasetId: dataset.id, format: vision ? 'messages-vision' : 'messages', path: join(dir, PACKAGE_PATHS.messages(dataName)), filter, pii: 'keep', dropDuplicates: false });
    files.push(PACKAGE_PATHS.messages(dataName));
    const qwenVlSkipped = vision ? await writeQwenVl(dir, dataName, files) : null;

    const provenance: AdapterProvenance = {
      trainingId,
      datasetId: dataset.id,
      datasetName: dataset.name,
      datasetVersion: { rows: lf.rows, updatedAt: dataset.updatedAt, sha256: await sha256File(join(dir, PACKAGE_PATHS.data(dataName))) },
      baseModelId: model.id,
      baseModelSha256: model.sha256,
      trainBaseModel: req.trainBaseModel,
      hyperparameters: req.hyperparameters,
      trainedAt: null,
    };
    const settings: PackageSettings = {
      trainingId,
      dataName,
      datasetName: dataset.name,
      trainBaseModel: req.trainBaseModel,
      baseModelFile: model.fileName,
      hyperparameters: req.hyperparameters,
      template: visionTemplate ?? guessTemplate(req.trainBaseModel, model.metadata.name),
      rows: lf.rows,
      vision,
      qwenVlSkipped,
    };
    await write(PACKAGE_PATHS.llamafactory, llamaFactoryYaml(settings));
    await write(PACKAGE_PATHS.peftScript, peftScript(settings));
    await write(PACKAGE_PATHS.peftRequirements, peftRequirements(settings));
    await write(PACKAGE_PATHS.trainLlamaFactory, trainScript('llamafactory'), true);
    await write(PACKAGE_PATHS.trainPeft, trainScript('peft'), true);
    await write(PACKAGE_PATHS.convert, convertScript(settings), true);
    await write(PACKAGE_PATHS.readme, readme(settings));
    await write(PACKAGE_PATHS.provenance, `${JSON.stringify(provenance, null, 2)}\n`);
    await mkdir(join(dir, 'adapter'), { recursive: true });
    return { dir, files, provenance };
  } catch (e) {
    // The folder was empty (or new) before: take back everything written, keep the folder.
    for (const entry of await readdir(dir).catch(() => [])) await rm(join(dir, entry), { recursive: true, force: true });
    throw e;
  }
}

/** Resolves a run's adapter path (relative to the package) and says whether a file is there. */
export async function adapterFileAt(dir: string, adapterPath: string): Promise<{ path: string; exists: boolean }> {
  const path = resolve(dir, adapterPath);
  try {
    return { path, exists: (await stat(path)).isFile() };
  } catch {
    return { path, exists: false };
  }
}

// The text of each file in a training package: a LLaMA-Factory config, a PEFT + TRL script, the scripts that
// train and convert, and a README. Pure functions of the package's settings, so tests can read them directly.
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../shared/images.schema';
import type { Hyperparameters } from '../../shared/training.schema';

export interface PackageSettings {
  trainingId: string;
  /** File-safe dataset name: the LLaMA-Factory dataset entry and the data file names. */
  dataName: string;
  datasetName: string;
  trainBaseModel: string;
  /** GGUF file the adapter will be used with in Lamplight. */
  baseModelFile: string;
  hyperparameters: Hyperparameters;
  template: TemplateGuess;
  rows: number;
  /** An image dataset (rows carry images, copied to data/images/) trained on a vision-language base model. */
  vision?: boolean;
  /** Image datasets: why data/<name>.qwenvl.json was not written (null: it was). */
  qwenVlSkipped?: string | null;
}

export const PACKAGE_PATHS = {
  data: (name: string) => `data/${name}.json`,
  messages: (name: string) => `data/${name}.messages.jsonl`,
  /** Image datasets: the rows in QwenLM's qwen-vl-finetune layout (LLaVA-style `image` + `conversations`). */
  qwenVl: (name: string) => `data/${name}.qwenvl.json`,
  datasetInfo: 'data/dataset_info.json',
  /** Image datasets: the images both data files refer to (images/<hash>.<ext>, relative to data/). */
  images: 'data/images',
  llamafactory: 'llamafactory/train_lora.yaml',
  peftScript: 'peft/train.py',
  peftRequirements: 'peft/requirements.txt',
  trainLlamaFactory: 'scripts/train-llamafactory.sh',
  trainPeft: 'scripts/train-peft.sh',
  convert: 'scripts/convert.sh',
  readme: 'README.md',
  provenance: 'lamplight-training.json',
  adapterHf: 'adapter/hf',
  adapterGguf: 'adapter/adapter.gguf',
} as const;

/** convert.sh prints this before converting; the runner shows the run as 'converting' from then on. */
export const CONVERT_MARKER = 'lamplight: converting adapter/hf to adapter/adapter.gguf';

export interface TemplateGuess {
  name: string;
  /** Where the guess came from, written beside it in the config. */
  reason: string;
}

// LLaMA-Factory's template names for common families, matched against the Hugging Face id first, then
// the GGUF's name. A documented guess: the config says so, and 'default' is the fallback.
const TEMPLATES: [RegExp, string][] = [
  [/llama[-_ ]?3/i, 'llama3'],
  [/llama[-_ ]?2/i, 'llama2'],
  [/qwen[-_ ]?3/i, 'qwen3'],
  [/qwen/i, 'qwen'],
  [/mistral|mixtral/i, 'mistral'],
  [/gemma/i, 'gemma'],
  [/phi[-_ ]?4/i, 'phi4'],
  [/phi[-_ ]?3/i, 'phi'],
];

// LLaMA-Factory's multimodal templates, as its model registry (extras/constants.py) assigns them; checked
// against the commit in LLAMA_FACTORY_CHECKED. Qwen2.5-VL (and QVQ) train with qwen2_vl; Qwen3-VL Instruct
// with qwen3_vl_nothink, Thinking with qwen3_vl. More specific names come first; the text-only Gemma 3
// sizes (1B, 270M) and MedGemma's text model match nothing, so an image dataset is refused for them.
const VISION_TEMPLATES: [RegExp, string][] = [
  [/qwen[-_ ]?3[-_ ]?vl.*thinking/i, 'qwen3_vl'],
  [/qwen[-_ ]?3[-_ ]?vl/i, 'qwen3_vl_nothink'],
  [/qwen[-_ ]?3\.5/i, 'qwen3_5'],
  [/qwen[-_ ]?2(\.5)?[-_ ]?vl|qvq/i, 'qwen2_vl'],
  [/llama[-_ ]?3\.2.*vision/i, 'mllama'],
  [/llava[-_ ]?(v?1\.6|next)[-_ ]?mistral/i, 'llava_next_mistral'],
  [/llava[-_ ]?(v?1\.6|next)/i, 'llava_next'],
  [/llava/i, 'llava'],
  [/gemma[-_ ]?3[-_ ]?n/i, 'gemma3n'],
  [/medgemma(?!.*text)|gemma[-_ ]?3(?![-_ ]?(1b|270m))/i, 'gemma3'],
];

/** The LLaMA-Factory source the package's config keys, templates and data layout were checked against. */
export const LLAMA_FACTORY_CHECKED = { commit: 'ff6d4d12eeb0', date: '2026-08-18', minVersion: '0.9.2' } as const;

/** The template of a vision-language base model; null when the names match no family LLaMA-Factory trains with images. */
export function guessVisionTemplate(trainBaseModel: string, ggufName: string | null): TemplateGuess | null {
  for (const [source, text] of [['trainBaseModel', trainBaseModel], ['the GGUF model name', ggufName ?? '']] as const) {
    for (const [re, name] of VISION_TEMPLATES) if (re.test(text)) return { name, reason: `vision-language model guessed from ${source} "${text}"` };
  }
  return null;
}

export function guessTemplate(trainBaseModel: string, ggufName: string | null): TemplateGuess {
  for (const [source, text] of [['trainBaseModel', trainBaseModel], ['the GGUF model name', ggufName ?? '']] as const) {
    for (const [re, name] of TEMPLATES) if (re.test(text)) return { name, reason: `guessed from ${source} "${text}"` };
  }
  return { name: 'default', reason: 'no known model family in the base model names; set the template your base model was trained with' };
}

/** JSON strings are valid YAML double-quoted scalars and valid Python string literals. */
const q = (s: string) => JSON.stringify(s);

/** 5.0e-7 as LLaMA-Factory's examples write it: its OmegaConf loader reads 5e-7 too, a plain YAML 1.1 reader a string. */
const yamlNumber = (n: number) => String(n).replace(/^(-?\d+)e/, '$1.0e');

const num = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : yamlNumber(n));

export function llamaFactoryYaml(s: PackageSettings): string {
  const h = s.hyperparameters;
  const lines = [
    `# LLaMA-Factory LoRA SFT config written by Lamplight for training ${s.trainingId}.`,
    `# Dataset "${s.datasetName}" (${s.rows} rows). Run from the package folder:`,
    '#   llamafactory-cli train llamafactory/train_lora.yaml',
    '# Paths are relative to the folder you run it from (LLaMA-Factory resolves them against the working directory).',
    `# Keys checked against LLaMA-Factory ${LLAMA_FACTORY_CHECKED.commit} (${LLAMA_FACTORY_CHECKED.date}); it stops on a key it does not know.`,
    ...(s.vision ? [`# The image keys need LLaMA-Factory >= ${LLAMA_FACTORY_CHECKED.minVersion}.`] : []),
    '',
    '### model',
    `model_name_or_path: ${q(s.trainBaseModel)}`,
    ...(h.method === 'qlora' ? ['quantization_bit: 4', 'quantization_method: bnb'] : []),
    // LLaMA-Factory shrinks larger images to this many pixels before the processor (its default is 768×768);
    // Lamplight's own budget, so the model trains on images as Lamplight sends them at inference.
    ...(s.vision ? [`image_max_pixels: ${DEFAULT_MAX_IMAGE_PIXELS}`, 'trust_remote_code: true'] : []),
    '',
    '### method',
    'stage: sft',
    'do_train: true',
    'finetuning_type: lora',
    // The LoRA learns in the language model; the vision encoder and the projector keep their weights (with
    // these frozen, LLaMA-Factory leaves their modules out of lora_target even when the names match).
    ...(s.vision ? ['freeze_vision_tower: true', 'freeze_multi_modal_projector: true', 'freeze_language_model: false'] : []),
    `lora_rank: ${h.r}`,
    `lora_alpha: ${yamlNumber(h.alpha)}`,
    `lora_dropout: ${yamlNumber(h.dropout)}`,
    `lora_target: ${h.targetModules.join(',')}`,
    '',
    '### dataset',
    `dataset: ${s.dataName}`,
    'dataset_dir: data',
    // LLaMA-Factory joins each image path (images/<hash>.<ext>) to media_dir; its default is dataset_dir, said here
    // so the config reads on its own.
    ...(s.vision ? ['media_dir: data'] : []),
    `# ${s.template.reason}`,
    `template: ${s.template.name}`,
    `cutoff_len: ${h.maxLength}`,
    'overwrite_cache: true',
    '',
    '### output',
    `output_dir: ${PACKAGE_PATHS.adapterHf}`,
    'logging_steps: 1',
    'save_steps: 500',
    'overwrite_output_dir: true',
    'report_to: none',
    '',
    '### train',
    `per_device_train_batch_size: ${h.batchSize}`,
    `gradient_accumulation_steps: ${h.gradientAccumulation}`,
    `learning_rate: ${yamlNumber(h.learningRate)}`,
    `num_train_epochs: ${num(h.epochs)}`,
    'lr_scheduler_type: cosine',
    'warmup_ratio: 0.03',
    ...(h.precision === 'bf16' ? ['bf16: true'] : h.precision === 'fp16' ? ['fp16: true'] : ['# fp32: neither bf16 nor fp16']),
    `seed: ${h.seed}`,
    '',
  ];
  return lines.join('\n');
}

export function peftScript(s: PackageSettings): string {
  // The TRL script below feeds text to a causal LM; an image dataset would silently lose its images.
  if (s.vision) {
    return `#!/usr/bin/env python3
# Written by Lamplight for training ${s.trainingId}: dataset "${s.datasetName}" holds images.
raise SystemExit("This package holds an image dataset; train it with LLaMA-Factory: bash ${PACKAGE_PATHS.trainLlamaFactory}")
`;
  }
  const h = s.hyperparameters;
  const qlora = h.method === 'qlora';
  return `#!/usr/bin/env python3
# PEFT + TRL LoRA SFT script written by Lamplight for training ${s.trainingId}.
# Dataset "${s.datasetName}" (${s.rows} rows). Run from the package folder:  python peft/train.py
# Saves the adapter (adapter_config.json + adapter_model.safetensors) to ${PACKAGE_PATHS.adapterHf}.
import torch
from datasets import load_dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer${qlora ? ', BitsAndBytesConfig' : ''}
from trl import SFTConfig, SFTTrainer

BASE_MODEL = ${q(s.trainBaseModel)}
DATA_FILE = ${q(PACKAGE_PATHS.messages(s.dataName))}
OUTPUT_DIR = ${q(PACKAGE_PATHS.adapterHf)}
METHOD = ${q(h.method)}
LORA_R = ${h.r}
LORA_ALPHA = ${h.alpha}
LORA_DROPOUT = ${h.dropout}
TARGET_MODULES = ${JSON.stringify(h.targetModules)}
LEARNING_RATE = ${h.learningRate}
EPOCHS = ${h.epochs}
BATCH_SIZE = ${h.batchSize}
GRADIENT_ACCUMULATION = ${h.gradientAccumulation}
MAX_LENGTH = ${h.maxLength}
PRECISION = ${q(h.precision)}
SEED = ${h.seed}

dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[PRECISION]

tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL)
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token

model_kwargs = {"torch_dtype": dtype}
${
  qlora
    ? `# QLoRA: the frozen base weights load in 4-bit NF4; the LoRA weights train in PRECISION.
model_kwargs["quantization_config"] = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_use_double_quant=True,
    bnb_4bit_compute_dtype=torch.bfloat16 if PRECISION == "bf16" else torch.float16,
)
model_kwargs["device_map"] = "auto"
`
    : ''
}model = AutoModelForCausalLM.from_pretrained(BASE_MODEL, **model_kwargs)

# One {"messages": [...]} conversation per line; SFTTrainer applies the tokenizer's chat template.
dataset = load_dataset("json", data_files=DATA_FILE, split="train")

peft_config = LoraConfig(
    r=LORA_R,
    lora_alpha=LORA_ALPHA,
    lora_dropout=LORA_DROPOUT,
    target_modules=TARGET_MODULES,
    bias="none",
    task_type="CAUSAL_LM",
)

args = SFTConfig(
    output_dir=OUTPUT_DIR,
    num_train_epochs=EPOCHS,
    per_device_train_batch_size=BATCH_SIZE,
    gradient_accumulation_steps=GRADIENT_ACCUMULATION,
    learning_rate=LEARNING_RATE,
    lr_scheduler_type="cosine",
    warmup_ratio=0.03,
    max_length=MAX_LENGTH,
    bf16=PRECISION == "bf16",
    fp16=PRECISION == "fp16",
    seed=SEED,
    logging_steps=1,
    save_steps=500,
    report_to="none",
)

trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config)
trainer.train()
trainer.save_model(OUTPUT_DIR)
print(f"adapter saved to {OUTPUT_DIR}")
`;
}

export function peftRequirements(s: PackageSettings): string {
  const lines = [
    '# PEFT + TRL trainer; install into a fresh virtual environment with a CUDA build of torch.',
    'torch>=2.4',
    'transformers>=4.51,<5',
    'peft>=0.15,<0.18',
    'trl>=0.20,<0.25',
    'datasets>=3.0,<5',
    'accelerate>=1.6',
    ...(s.hyperparameters.method === 'qlora' ? ['bitsandbytes>=0.45'] : []),
    '',
  ];
  return lines.join('\n');
}

const SCRIPT_HEAD = `#!/usr/bin/env bash
set -euo pipefail
# Everything runs from the package folder, wherever the script is called from.
cd "$(dirname "$0")/.."
`;

export function trainScript(trainer: 'llamafactory' | 'peft'): string {
  const run = trainer === 'llamafactory' ? `llamafactory-cli train ${PACKAGE_PATHS.llamafactory}` : `python ${PACKAGE_PATHS.peftScript}`;
  return `${SCRIPT_HEAD}# Trains the LoRA adapter with ${trainer === 'llamafactory' ? 'LLaMA-Factory' : 'PEFT + TRL'}, then converts it to GGUF.
${run}
bash ${PACKAGE_PATHS.convert}
`;
}

export function convertScript(s: PackageSettings): string {
  return `${SCRIPT_HEAD}# Converts the Hugging Face PEFT adapter in ${PACKAGE_PATHS.adapterHf} to ${PACKAGE_PATHS.adapterGguf} with llama.cpp.
#   LLAMA_CPP_DIR  a llama.cpp checkout whose Python requirements are installed
#                  (pip install -r "$LLAMA_CPP_DIR/requirements.txt")
#   BASE_DIR       a folder with the base model's config.json; by default the training base model when it is
#                  a local folder, otherwise its config files fetched from Hugging Face.
: "\${LLAMA_CPP_DIR:?set LLAMA_CPP_DIR to your llama.cpp checkout}"
TRAIN_BASE_MODEL=${q(s.trainBaseModel)}
if [ -z "\${BASE_DIR:-}" ]; then
  if [ -d "$TRAIN_BASE_MODEL" ]; then
    BASE_DIR="$TRAIN_BASE_MODEL"
  else
    BASE_DIR="$(python -c 'import sys; from huggingface_hub import snapshot_download; print(snapshot_download(repo_id=sys.argv[1], allow_patterns=["*.json", "tokenizer.model"]))' "$TRAIN_BASE_MODEL")"
  fi
fi
echo ${q(CONVERT_MARKER)}
python "$LLAMA_CPP_DIR/convert_lora_to_gguf.py" --base "$BASE_DIR" --outfile ${PACKAGE_PATHS.adapterGguf} ${PACKAGE_PATHS.adapterHf}
echo "adapter written to ${PACKAGE_PATHS.adapterGguf}"
`;
}

export function readme(s: PackageSettings): string {
  const h = s.hyperparameters;
  return `# LoRA training package ${s.trainingId}

Written by Lamplight from dataset **${s.datasetName}** (${s.rows} rows) for use with **${s.baseModelFile}**.
Training runs on the unquantized Hugging Face model \`${s.trainBaseModel}\` (a GGUF file cannot be trained);
the adapter is then converted to GGUF and loads on top of ${s.baseModelFile}.

Method ${h.method}, rank ${h.r}, alpha ${h.alpha}, dropout ${h.dropout}, targets ${h.targetModules.join(', ')},
learning rate ${h.learningRate}, ${h.epochs} epochs, batch ${h.batchSize} × ${h.gradientAccumulation} accumulation,
max length ${h.maxLength}, ${h.precision}, seed ${h.seed}. Provenance: \`${PACKAGE_PATHS.provenance}\`.

Run every command from this folder.

## 1. Install one trainer

LLaMA-Factory:

    pip install llamafactory${h.method === 'qlora' ? ' bitsandbytes' : ''}

or PEFT + TRL:

    pip install -r ${PACKAGE_PATHS.peftRequirements}

and llama.cpp's converter (once):

    git clone https://github.com/ggml-org/llama.cpp
    pip install -r llama.cpp/requirements.txt
    export LLAMA_CPP_DIR=$PWD/llama.cpp

## 2. Train

    llamafactory-cli train ${PACKAGE_PATHS.llamafactory}

or

    python ${PACKAGE_PATHS.peftScript}

Either writes the Hugging Face adapter to \`${PACKAGE_PATHS.adapterHf}/\`.
The LLaMA-Factory template is \`${s.template.name}\` (${s.template.reason}); change it in the config if needed.${
  s.vision
    ? `

This is an image dataset: \`data/${s.dataName}.json\` is LLaMA-Factory's multimodal layout (\`<image>\` tokens and an
\`images\` list of paths under \`data/images/\`), \`data/${s.dataName}.messages.jsonl\` the same rows with OpenAI-style
image parts (\`{"type": "image", "image": "images/…"}\`, what qwen_vl_utils and the Qwen-VL processors read; the
paths are relative to \`data/\`, so run such a script from there). The config freezes the vision tower and the
projector (\`freeze_vision_tower\`, \`freeze_multi_modal_projector\`); the LoRA trains the language model. Train with
LLaMA-Factory ${LLAMA_FACTORY_CHECKED.minVersion} or newer (the config's image keys; the PEFT script is text-only).

${
        s.qwenVlSkipped
          ? `No file for Qwen's own fine-tune scripts was written: ${s.qwenVlSkipped}.`
          : `For Qwen's own scripts (QwenLM's \`qwen-vl-finetune\`), \`${PACKAGE_PATHS.qwenVl(s.dataName)}\` holds the same rows as
\`image\` + \`conversations\`; register it in its \`qwenvl/data/__init__.py\` with \`annotation_path\` set to that file and
\`data_path\` to the absolute path of \`data/\` (the image paths are relative to it).`
      }`
    : ''
}

## 3. Convert to GGUF

    bash ${PACKAGE_PATHS.convert}

(\`BASE_DIR=/path/to/hf-model\` if the base model's config is not on Hugging Face.)
This writes \`${PACKAGE_PATHS.adapterGguf}\`.

\`${PACKAGE_PATHS.trainLlamaFactory}\` and \`${PACKAGE_PATHS.trainPeft}\` do steps 2 and 3 in one go.

## 4. Use it in Lamplight

Add \`${PACKAGE_PATHS.adapterGguf}\` under Adapters. If you started the run from Lamplight (Training → Start,
e.g. with the command \`bash ${PACKAGE_PATHS.trainLlamaFactory}\`), Lamplight registers the adapter itself when
the command ends, with the provenance above.

### Training on another machine

Lamplight runs the command with \`bash -lc\` in this folder, so it can be an ssh command, for example:

    rsync -a ./ gpu-box:train/${s.trainingId}/ && ssh gpu-box 'cd train/${s.trainingId} && bash ${PACKAGE_PATHS.trainLlamaFactory}' && scp gpu-box:train/${s.trainingId}/${PACKAGE_PATHS.adapterGguf} ${PACKAGE_PATHS.adapterGguf}

The adapter must end up at \`${PACKAGE_PATHS.adapterGguf}\` here. Cancelling stops the local ssh; use \`ssh -tt\` so the
remote training is hung up with it.
`;
}

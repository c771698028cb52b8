// What runs need from the rest of the core (remote targets, the adapter library) and the shapes of the
// requests they take; implemented by TargetsService and AdaptersService, passed to RunsService's constructor.
import type { AdapterUse } from '../../shared/adapters.schema';
import type { RunRecord, RunRequest, RunSource, SamplingParams, StopReason } from '../../shared/runs.schema';
import type { PreparedImageInfo, StoredImage } from '../../shared/images.schema';
import type { AdapterSpec, ChatTurn } from '../engine/protocol';
import type { ChatContentPart } from '../remote/openaiClient';

/** What the runs service needs from remote targets (implemented by TargetsService). */
export interface RemoteRunner {
  displayName(targetId: string, model: string): string;
  run(
    targetId: string,
    model: string,
    req: { systemPrompt: string; userMessage: string; userParts?: ChatContentPart[]; params: RunRequest['params']; jsonSchema: string | null },
    signal: AbortSignal,
    onDelta: (text: string) => void,
  ): Promise<RemoteRunResult>;
  /** Whether the model takes images as far as is known (the setting, else the last check), with its pixel budget. */
  imageSupport(targetId: string, model: string): ImageSupport;
  /** Asks the server now when the setting is 'auto' and nothing is recorded for the model. */
  detectImages(targetId: string, model: string): Promise<void>;
}

export interface ImageSupport {
  accepts: boolean;
  maxPixels: number;
  /** Why not, and what to do (null when accepted). */
  refusal: string | null;
}

/** What runs need from the image store (implemented by ImageStore, core.images). */
export interface RunImageStore {
  get(hash: string): StoredImage;
  /** Decoded, metadata stripped, downscaled to maxPixels, re-encoded: the bytes that are sent. */
  prepare(hash: string, maxPixels: number, opts?: { projector?: (width: number, height: number) => number | null }): Promise<PreparedImageInfo & { data: Buffer }>;
  /** Who still refers to stored images, so gc() keeps them. */
  registerRefs(name: string, refs: () => Iterable<string>): void;
}

/** The vision engine (llama-server with a projector), as runs reach it (implemented by core.vision). */
export interface VisionEndpoints {
  /** Its OpenAI-compatible endpoint when it is ready with this model; null otherwise. */
  endpoint(modelId: string): { baseUrl: string; apiKey: string; model: string; imageTokens?: (width: number, height: number) => number | null } | null;
}

/** What runs need from the adapter library (implemented by AdaptersService). */
export interface RunAdapters {
  /** Files, scales and "name@scale" labels; throws NOT_FOUND for an unknown adapter. */
  resolveUses(uses: readonly AdapterUse[]): (AdapterSpec & { label: string })[];
  /** The reason to refuse, from checks already made; null when none failed (or none was made yet). */
  knownRefusal(uses: readonly AdapterUse[], modelId: string): Error | null;
  /** Reads the files when needed; throws the first mismatch's reason. */
  assertCompatible(uses: readonly AdapterUse[], modelId: string): Promise<void>;
}

export interface RemoteRunResult {
  text: string;
  stopReason: StopReason;
  error: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  startMs: number;
  endMs: number;
  /** Arrival of every chunk with choices (vLLM's convention for TTFT and ITL). */
  chunkTimesMs: number[];
  /** Arrival of the chunks that carried text (for the decode rate). */
  contentTimesMs: number[];
  attempts: number;
}

export type StartRun = Omit<RunRequest, 'promptVersionId'> & {
  source?: RunSource;
  promptVersionId?: string | null;
  /** A target that refuses the run's images gets a stored failed run with the reason instead of a throw (compare columns). */
  refusalAsRun?: boolean;
};

/** A request to Lamplight's own OpenAI-compatible server, run on the loaded local model. */
export interface ApiRunRequest {
  /** What history shows as the prompt: the system text and the user's side of the conversation. */
  systemPrompt: string;
  userMessage: string;
  /** A chat (the last turn is the user's), or else a raw completion of completionPrompt. */
  messages: ChatTurn[] | null;
  completionPrompt: string | null;
  params: SamplingParams;
  jsonSchema: string | null;
  jsonObject: boolean;
  /** Decode until maxTokens even past an end-of-generation token (llama-server's ignore_eos). */
  ignoreEos?: boolean;
}

export interface ApiRunOutcome {
  record: RunRecord;
  /** The engine refused the request itself (e.g. a schema no grammar can express): a client error. */
  badInput: boolean;
}

// The prompt library: every save is a new immutable version (number, content hash, parent, message,
// author); labels move between versions with their history kept; restore and fork never rewrite history.
import { createHash } from 'node:crypto';
import { ulid } from '../../shared/ids';
import { extractImageVariables } from '../../shared/imageVars';
import { canonicalJson, composeMessages, lineDiffCounts, promptText, promptVariables, renderPrompt, toPlaygroundFields } from '../../shared/promptRender';
import type {
  CreatePrompt,
  ForkPrompt,
  LabelEvent,
  PromptContent,
  PromptDiff,
  PromptInfo,
  PromptLabel,
  PromptVersion,
  PromptVersionSummary,
  RenderedPromptVersion,
  SaveVersion,
} from '../../shared/prompts.schema';
import { CoreError } from '../errors';
import type { PromptsRepo, StoredLabel, StoredPrompt, StoredVersion, StoredVersionWithContent } from './prompts.repo';

/** sha256 of the canonical JSON (keys sorted at every depth) of content already parsed by PromptContent. */
export function contentHash(content: PromptContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

const withoutPromptId = ({ promptId: _promptId, ...l }: StoredLabel): PromptLabel => l;

export class PromptsService {
  constructor(
    private readonly repo: PromptsRepo,
    private readonly now: () => number = Date.now,
  ) {}

  private prompt(id: string): StoredPrompt {
    const p = this.repo.getPrompt(id);
    if (!p) throw new CoreError('NOT_FOUND', `No prompt with id ${id}`);
    return p;
  }

  private storedVersion(id: string): StoredVersionWithContent {
    const v = this.repo.getVersion(id);
    if (!v) throw new CoreError('NOT_FOUND', `No prompt version with id ${id}`);
    return v;
  }

  private latest(promptId: string): StoredVersion {
    const v = this.repo.latestVersion(promptId);
    if (!v) throw new CoreError('INTERNAL', `Prompt ${promptId} has no versions`);
    return v;
  }

  private summary(v: StoredVersion, labels: readonly StoredLabel[]): PromptVersionSummary {
    return {
      id: v.id,
      promptId: v.promptId,
      number: v.number,
      parentId: v.parentId,
      restoredFromId: v.restoredFromId,
      contentHash: v.contentHash,
      message: v.message,
      author: v.author,
      createdAt: v.createdAt,
      labels: labels.filter((l) => l.versionId === v.id).map((l) => l.label),
    };
  }

  private full(v: StoredVersionWithContent, labels: readonly StoredLabel[]): PromptVersion {
    const texts = composeMessages(v.content).map((m) => m.content);
    return { ...this.summary(v, labels), content: v.content, variables: promptVariables(v.content), imageVariables: extractImageVariables(...texts) };
  }

  private info(p: StoredPrompt, labels: readonly StoredLabel[] = this.repo.labels(p.id)): PromptInfo {
    return { ...p, latest: this.summary(this.latest(p.id), labels), labels: labels.map(withoutPromptId) };
  }

  private assertNameFree(name: string, exceptId: string | null = null): void {
    const other = this.repo.findByName(name);
    if (other && other.id !== exceptId) throw new CoreError('CONFLICT', `name: a prompt named "${other.name}" already exists`);
  }

  private insertVersion(
    promptId: string,
    number: number,
    parentId: string | null,
    content: PromptContent,
    meta: { message: string; author: string; restoredFromId?: string },
  ): string {
    const id = ulid();
    this.repo.insertVersion({
      id,
      promptId,
      number,
      parentId,
      restoredFromId: meta.restoredFromId ?? null,
      contentJson: JSON.stringify(content),
      contentHash: contentHash(content),
      message: meta.message,
      author: meta.author,
      createdAt: this.now(),
    });
    this.repo.touch(promptId, this.now());
    return id;
  }

  /** A new prompt and its v1, in one transaction; the name must be free. */
  private createWith(
    input: { name: string; description: string; content: PromptContent; message: string; author: string },
    forkedFrom: StoredPrompt['forkedFrom'],
  ): { prompt: PromptInfo; version: PromptVersion } {
    const versionId = this.repo.transaction(() => {
      this.assertNameFree(input.name);
      const at = this.now();
      const id = ulid();
      this.repo.insertPrompt({ id, name: input.name, description: input.description, forkedFrom, createdAt: at, updatedAt: at });
      return this.insertVersion(id, 1, null, input.content, input);
    });
    const version = this.version(versionId);
    return { prompt: this.info(this.prompt(version.promptId)), version };
  }

  list(): PromptInfo[] {
    const labels = this.repo.allLabels();
    return this.repo.listPrompts().map((p) => this.info(p, labels.filter((l) => l.promptId === p.id)));
  }

  create(input: CreatePrompt): { prompt: PromptInfo; version: PromptVersion } {
    return this.createWith(input, null);
  }

  get(promptId: string): { prompt: PromptInfo; versions: PromptVersionSummary[]; latest: PromptVersion } {
    const p = this.prompt(promptId);
    const labels = this.repo.labels(p.id);
    const versions = this.repo.versions(p.id).map((v) => this.summary(v, labels));
    return { prompt: this.info(p, labels), versions, latest: this.full(this.storedVersion(this.latest(p.id).id), labels) };
  }

  version(versionId: string): PromptVersion {
    const v = this.storedVersion(versionId);
    return this.full(v, this.repo.labels(v.promptId));
  }

  /**
   * Saves on top of the latest version only: a stale parentId is refused with CONFLICT naming the
   * latest, so history stays a line (branches are explicit forks) and two windows never silently diverge.
   */
  saveVersion(input: SaveVersion): PromptVersion {
    const id = this.repo.transaction(() => {
      this.prompt(input.promptId);
      const latest = this.latest(input.promptId);
      if (input.parentId !== latest.id) {
        const parent = this.repo.getVersion(input.parentId);
        const which = parent && parent.promptId === input.promptId ? `v${parent.number}` : `version ${input.parentId}, which is not a version of this prompt,`;
        throw new CoreError(
          'CONFLICT',
          `parentId: the edit started from ${which} but the latest is v${latest.number} (${latest.id}); reload v${latest.number} and save on top of it`,
        );
      }
      this.assertChanged(input.content, latest);
      return this.insertVersion(input.promptId, latest.number + 1, latest.id, input.content, input);
    });
    return this.version(id);
  }

  /** Compared after re-parsing the parent, so fields added to the schema later do not count as changes. */
  private assertChanged(content: PromptContent, latest: StoredVersion): void {
    if (contentHash(content) === contentHash(this.storedVersion(latest.id).content)) {
      throw new CoreError('CONFLICT', `content: nothing changed since v${latest.number}`);
    }
  }

  restore(input: { versionId: string; message: string; author: string }): PromptVersion {
    const id = this.repo.transaction(() => {
      const old = this.storedVersion(input.versionId);
      const latest = this.latest(old.promptId);
      this.assertChanged(old.content, latest);
      const message = `Restore v${old.number}${input.message ? `: ${input.message}` : ''}`;
      return this.insertVersion(old.promptId, latest.number + 1, latest.id, old.content, { message, author: input.author, restoredFromId: old.id });
    });
    return this.version(id);
  }

  fork(input: ForkPrompt): { prompt: PromptInfo; version: PromptVersion } {
    const from = this.storedVersion(input.versionId);
    const origin = this.prompt(from.promptId);
    return this.createWith(
      {
        name: input.name,
        description: input.description ?? origin.description,
        content: from.content,
        message: input.message || `Fork of ${origin.name} v${from.number}`,
        author: input.author,
      },
      { promptId: origin.id, versionId: from.id },
    );
  }

  diff(fromVersionId: string, toVersionId: string): PromptDiff {
    const from = this.storedVersion(fromVersionId);
    const to = this.storedVersion(toVersionId);
    const side = (v: StoredVersionWithContent) => ({ versionId: v.id, promptId: v.promptId, number: v.number, text: promptText(v.content) });
    const a = side(from);
    const b = side(to);
    return { from: a, to: b, ...lineDiffCounts(a.text, b.text) };
  }

  /** Moves the label to the version; setting it where it already is changes and records nothing. */
  setLabel(input: { versionId: string; label: string; author: string }): PromptLabel[] {
    return this.repo.transaction(() => {
      const v = this.storedVersion(input.versionId);
      const current = this.repo.labels(v.promptId).find((l) => l.label === input.label);
      if (current?.versionId !== v.id) {
        const at = this.now();
        this.repo.setLabel({ promptId: v.promptId, label: input.label, versionId: v.id, versionNumber: v.number, setAt: at, setBy: input.author });
        this.repo.insertLabelEvent({
          id: ulid(),
          promptId: v.promptId,
          label: input.label,
          fromVersionId: current?.versionId ?? null,
          toVersionId: v.id,
          author: input.author,
          movedAt: at,
        });
      }
      return this.repo.labels(v.promptId).map(withoutPromptId);
    });
  }

  removeLabel(input: { promptId: string; label: string; author: string }): PromptLabel[] {
    return this.repo.transaction(() => {
      this.prompt(input.promptId);
      const current = this.repo.labels(input.promptId).find((l) => l.label === input.label);
      if (!current) throw new CoreError('NOT_FOUND', `label: this prompt has no label "${input.label}"`);
      this.repo.deleteLabel(input.promptId, input.label);
      this.repo.insertLabelEvent({
        id: ulid(),
        promptId: input.promptId,
        label: input.label,
        fromVersionId: current.versionId,
        toVersionId: null,
        author: input.author,
        movedAt: this.now(),
      });
      return this.repo.labels(input.promptId).map(withoutPromptId);
    });
  }

  labelHistory(input: { promptId: string; label?: string; limit: number }): LabelEvent[] {
    this.prompt(input.promptId);
    return this.repo.labelEvents(input.promptId, input.label ?? null, input.limit);
  }

  rename(input: { promptId: string; name: string; description?: string }): PromptInfo {
    this.repo.transaction(() => {
      const p = this.prompt(input.promptId);
      this.assertNameFree(input.name, p.id);
      this.repo.rename(p.id, input.name, input.description ?? p.description, this.now());
    });
    return this.info(this.prompt(input.promptId));
  }

  /** Soft delete: versions are immutable, so the prompt is archived and its name freed. */
  remove(promptId: string): boolean {
    return this.repo.archive(promptId, this.now());
  }

  render(versionId: string, variables: Readonly<Record<string, string>>): RenderedPromptVersion {
    const v = this.storedVersion(versionId);
    const r = renderPrompt(v.content, variables);
    return {
      versionId: v.id,
      messages: r.messages,
      missingVariables: r.missingVariables,
      imageVariables: extractImageVariables(...r.messages.map((m) => m.content)),
      playground: toPlaygroundFields(r.messages),
      jsonSchema: v.content.output.jsonSchema,
      target: v.content.target,
      params: v.content.params,
    };
  }
}

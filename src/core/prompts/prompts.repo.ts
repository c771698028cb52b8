import { PromptContent, type LabelEvent, type PromptLabel } from '../../shared/prompts.schema';
import type { Db } from '../db/openDb';

interface PromptRow {
  id: string;
  name: string;
  description: string;
  forked_from_prompt_id: string | null;
  forked_from_version_id: string | null;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

interface VersionRow {
  id: string;
  prompt_id: string;
  number: number;
  parent_id: string | null;
  restored_from_id: string | null;
  content_hash: string;
  message: string;
  author: string;
  created_at: number;
}

interface VersionContentRow extends VersionRow {
  content_json: string;
}

interface LabelRow {
  prompt_id: string;
  label: string;
  version_id: string;
  version_number: number;
  set_at: number;
  set_by: string;
}

interface LabelEventRow {
  id: string;
  prompt_id: string;
  label: string;
  from_version_id: string | null;
  to_version_id: string | null;
  author: string;
  moved_at: number;
}

export interface StoredPrompt {
  id: string;
  name: string;
  description: string;
  forkedFrom: { promptId: string; versionId: string } | null;
  createdAt: number;
  updatedAt: number;
}

/** A version row without its content (history lists never load content). */
export interface StoredVersion {
  id: string;
  promptId: string;
  number: number;
  parentId: string | null;
  restoredFromId: string | null;
  contentHash: string;
  message: string;
  author: string;
  createdAt: number;
}

export interface StoredVersionWithContent extends StoredVersion {
  content: PromptContent;
}

export type StoredLabel = PromptLabel & { promptId: string };

function toPrompt(r: PromptRow): StoredPrompt {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    forkedFrom: r.forked_from_prompt_id && r.forked_from_version_id ? { promptId: r.forked_from_prompt_id, versionId: r.forked_from_version_id } : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toVersion(r: VersionRow): StoredVersion {
  return {
    id: r.id,
    promptId: r.prompt_id,
    number: r.number,
    parentId: r.parent_id,
    restoredFromId: r.restored_from_id,
    contentHash: r.content_hash,
    message: r.message,
    author: r.author,
    createdAt: r.created_at,
  };
}

function toLabel(r: LabelRow): StoredLabel {
  return { promptId: r.prompt_id, label: r.label, versionId: r.version_id, versionNumber: r.version_number, setAt: r.set_at, setBy: r.set_by };
}

function toLabelEvent(r: LabelEventRow): LabelEvent {
  return {
    id: r.id,
    promptId: r.prompt_id,
    label: r.label,
    fromVersionId: r.from_version_id,
    toVersionId: r.to_version_id,
    author: r.author,
    movedAt: r.moved_at,
  };
}

const VERSION_COLUMNS = 'id, prompt_id, number, parent_id, restored_from_id, content_hash, message, author, created_at';
const LABEL_SELECT = `
  SELECT l.prompt_id, l.label, l.version_id, v.number AS version_number, l.set_at, l.set_by
  FROM prompt_labels l JOIN prompt_versions v ON v.id = l.version_id`;

/** Prompts, their immutable versions and labels: one aggregate, so one repo. Archived prompts are invisible here. */
export class PromptsRepo {
  private readonly insertPromptStmt;
  private readonly getPromptStmt;
  private readonly byNameStmt;
  private readonly listPromptsStmt;
  private readonly renameStmt;
  private readonly touchStmt;
  private readonly archiveStmt;
  private readonly insertVersionStmt;
  private readonly getVersionStmt;
  private readonly latestVersionStmt;
  private readonly versionsStmt;
  private readonly labelsStmt;
  private readonly allLabelsStmt;
  private readonly upsertLabelStmt;
  private readonly deleteLabelStmt;
  private readonly insertLabelEventStmt;
  private readonly labelEventsStmt;

  constructor(private readonly db: Db) {
    this.insertPromptStmt = db.prepare(`
      INSERT INTO prompts (id, name, description, forked_from_prompt_id, forked_from_version_id, created_at, updated_at)
      VALUES (@id, @name, @description, @forkedFromPromptId, @forkedFromVersionId, @createdAt, @updatedAt)`);
    this.getPromptStmt = db.prepare<[string], PromptRow>('SELECT * FROM prompts WHERE id = ? AND archived_at IS NULL');
    this.byNameStmt = db.prepare<[string], PromptRow>('SELECT * FROM prompts WHERE name = ? COLLATE NOCASE AND archived_at IS NULL');
    this.listPromptsStmt = db.prepare<[], PromptRow>('SELECT * FROM prompts WHERE archived_at IS NULL ORDER BY updated_at DESC, id DESC');
    this.renameStmt = db.prepare('UPDATE prompts SET name = @name, description = @description, updated_at = @updatedAt WHERE id = @id');
    this.touchStmt = db.prepare('UPDATE prompts SET updated_at = ? WHERE id = ?');
    this.archiveStmt = db.prepare('UPDATE prompts SET archived_at = ? WHERE id = ? AND archived_at IS NULL');
    this.insertVersionStmt = db.prepare(`
      INSERT INTO prompt_versions (id, prompt_id, number, parent_id, restored_from_id, content_json, content_hash, message, author, created_at)
      VALUES (@id, @promptId, @number, @parentId, @restoredFromId, @contentJson, @contentHash, @message, @author, @createdAt)`);
    this.getVersionStmt = db.prepare<[string], VersionContentRow>(`
      SELECT v.* FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id WHERE v.id = ? AND p.archived_at IS NULL`);
    this.latestVersionStmt = db.prepare<[string], VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM prompt_versions WHERE prompt_id = ? ORDER BY number DESC LIMIT 1`,
    );
    this.versionsStmt = db.prepare<[string], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM prompt_versions WHERE prompt_id = ? ORDER BY number DESC`);
    this.labelsStmt = db.prepare<[string], LabelRow>(`${LABEL_SELECT} WHERE l.prompt_id = ? ORDER BY l.label`);
    this.allLabelsStmt = db.prepare<[], LabelRow>(`${LABEL_SELECT} JOIN prompts p ON p.id = l.prompt_id WHERE p.archived_at IS NULL ORDER BY l.label`);
    this.upsertLabelStmt = db.prepare(`
      INSERT INTO prompt_labels (prompt_id, label, version_id, set_at, set_by) VALUES (@promptId, @label, @versionId, @setAt, @setBy)
      ON CONFLICT (prompt_id, label) DO UPDATE SET version_id = excluded.version_id, set_at = excluded.set_at, set_by = excluded.set_by`);
    this.deleteLabelStmt = db.prepare('DELETE FROM prompt_labels WHERE prompt_id = ? AND label = ?');
    this.insertLabelEventStmt = db.prepare(`
      INSERT INTO prompt_label_events (id, prompt_id, label, from_version_id, to_version_id, author, moved_at)
      VALUES (@id, @promptId, @label, @fromVersionId, @toVersionId, @author, @movedAt)`);
    // rowid breaks ties within one millisecond: ULIDs are not monotonic inside it.
    this.labelEventsStmt = db.prepare<{ promptId: string; label: string | null; limit: number }, LabelEventRow>(`
      SELECT * FROM prompt_label_events WHERE prompt_id = @promptId AND (@label IS NULL OR label = @label)
      ORDER BY moved_at DESC, rowid DESC LIMIT @limit`);
  }

  /** Reads and writes in one write-locked transaction, so a check (latest version, name) holds for the write. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  insertPrompt(p: StoredPrompt): void {
    this.insertPromptStmt.run({
      id: p.id,
      name: p.name,
      description: p.description,
      forkedFromPromptId: p.forkedFrom?.promptId ?? null,
      forkedFromVersionId: p.forkedFrom?.versionId ?? null,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    });
  }

  getPrompt(id: string): StoredPrompt | null {
    const r = this.getPromptStmt.get(id);
    return r ? toPrompt(r) : null;
  }

  findByName(name: string): StoredPrompt | null {
    const r = this.byNameStmt.get(name);
    return r ? toPrompt(r) : null;
  }

  listPrompts(): StoredPrompt[] {
    return this.listPromptsStmt.all().map(toPrompt);
  }

  rename(id: string, name: string, description: string, at: number): void {
    this.renameStmt.run({ id, name, description, updatedAt: at });
  }

  touch(id: string, at: number): void {
    this.touchStmt.run(at, id);
  }

  archive(id: string, at: number): boolean {
    return this.archiveStmt.run(at, id).changes > 0;
  }

  insertVersion(v: StoredVersion & { contentJson: string }): void {
    this.insertVersionStmt.run(v);
  }

  /** With content; null when missing or its prompt is archived. */
  getVersion(id: string): StoredVersionWithContent | null {
    const r = this.getVersionStmt.get(id);
    return r ? { ...toVersion(r), content: PromptContent.parse(JSON.parse(r.content_json)) } : null;
  }

  latestVersion(promptId: string): StoredVersion | null {
    const r = this.latestVersionStmt.get(promptId);
    return r ? toVersion(r) : null;
  }

  /** Newest first. */
  versions(promptId: string): StoredVersion[] {
    return this.versionsStmt.all(promptId).map(toVersion);
  }

  labels(promptId: string): StoredLabel[] {
    return this.labelsStmt.all(promptId).map(toLabel);
  }

  /** Labels of every prompt in the library, for the list view in one query. */
  allLabels(): StoredLabel[] {
    return this.allLabelsStmt.all().map(toLabel);
  }

  setLabel(l: StoredLabel): void {
    this.upsertLabelStmt.run({ promptId: l.promptId, label: l.label, versionId: l.versionId, setAt: l.setAt, setBy: l.setBy });
  }

  deleteLabel(promptId: string, label: string): boolean {
    return this.deleteLabelStmt.run(promptId, label).changes > 0;
  }

  insertLabelEvent(e: LabelEvent): void {
    this.insertLabelEventStmt.run(e);
  }

  /** Newest first. */
  labelEvents(promptId: string, label: string | null, limit: number): LabelEvent[] {
    return this.labelEventsStmt.all({ promptId, label, limit }).map(toLabelEvent);
  }
}

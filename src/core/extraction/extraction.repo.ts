// SQL for extraction templates: the current version in one table, every saved version in another.
import type { TemplateVersion } from '../../shared/extraction.schema';
import type { FieldSpec } from '../../shared/fieldScore';
import type { Db } from '../db/openDb';

interface TemplateRow {
  id: string;
  name: string;
  instructions: string;
  fields_json: string;
  version: number;
  created_at: number;
  updated_at: number;
}
interface VersionRow {
  version: number;
  name: string;
  instructions: string;
  fields_json: string;
  saved_at: number;
}

export interface StoredTemplate {
  id: string;
  name: string;
  instructions: string;
  fields: FieldSpec[];
  version: number;
  createdAt: number;
  updatedAt: number;
}

const toTemplate = (r: TemplateRow): StoredTemplate => ({
  id: r.id,
  name: r.name,
  instructions: r.instructions,
  fields: JSON.parse(r.fields_json) as FieldSpec[],
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class ExtractionRepo {
  constructor(private readonly db: Db) {}

  list(): StoredTemplate[] {
    return this.db.prepare<[], TemplateRow>('SELECT * FROM extraction_templates ORDER BY updated_at DESC, id DESC').all().map(toTemplate);
  }

  get(id: string): StoredTemplate | null {
    const r = this.db.prepare<[string], TemplateRow>('SELECT * FROM extraction_templates WHERE id = ?').get(id);
    return r ? toTemplate(r) : null;
  }

  /** Writes the template and its version row in one transaction. */
  save(t: StoredTemplate): void {
    const row = { id: t.id, name: t.name, instructions: t.instructions, fieldsJson: JSON.stringify(t.fields), version: t.version, createdAt: t.createdAt, updatedAt: t.updatedAt };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO extraction_templates (id, name, instructions, fields_json, version, created_at, updated_at)
           VALUES (@id, @name, @instructions, @fieldsJson, @version, @createdAt, @updatedAt)
           ON CONFLICT(id) DO UPDATE SET name = excluded.name, instructions = excluded.instructions,
             fields_json = excluded.fields_json, version = excluded.version, updated_at = excluded.updated_at`,
        )
        .run(row);
      this.db
        .prepare(
          `INSERT INTO extraction_template_versions (template_id, version, name, instructions, fields_json, saved_at)
           VALUES (@id, @version, @name, @instructions, @fieldsJson, @updatedAt)`,
        )
        .run(row);
    })();
  }

  history(id: string): TemplateVersion[] {
    return this.db
      .prepare<[string], VersionRow>('SELECT version, name, instructions, fields_json, saved_at FROM extraction_template_versions WHERE template_id = ? ORDER BY version DESC')
      .all(id)
      .map((r) => ({ version: r.version, name: r.name, instructions: r.instructions, fields: JSON.parse(r.fields_json) as FieldSpec[], savedAt: r.saved_at }));
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM extraction_templates WHERE id = ?').run(id).changes > 0;
  }
}

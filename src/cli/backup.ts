// `lamplight backup FILE` and `lamplight restore FILE`. The backup runs over the core (the database is copied
// with SQLite's online backup, so the app may keep running); restore replaces the workspace of a data folder
// that no process has open, after proving the archive good, and keeps the previous one aside.
import { readFileSync } from 'node:fs';
import { ulid } from '../shared/ids';
import { restoreNow } from '../core/backup/backup.service';
import { FileSecretStore } from '../core/secrets/secretStore';
import { parseFlags, UsageError, type CliContext, type Command } from './main';

const PASS_ENV = 'LAMPLIGHT_BACKUP_PASSPHRASE';

/** From a file or the environment, never argv (other users can read a process's arguments). */
function passphrase(file: string | undefined): string | undefined {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new UsageError(`--passphrase-file ${file}: ${(e as Error).message}`);
    }
  }
  return process.env[PASS_ENV] || undefined;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export const backupCommand: Command = {
  summary: 'write a backup archive of the workspace (database, its files, a manifest)',
  usage: [
    'Usage: lamplight backup FILE [--gzip] [--export-key] [--passphrase-file F] [--json]',
    '',
    'Writes one tar archive (gzip with --gzip): a consistent copy of the database taken with SQLite\'s online',
    'backup (the app may keep running), the files inside the data folder that it refers to (models, adapters,',
    'training packages, every stored image), and manifest.json with each part\'s sha256 and size, the schema',
    'and app version.',
    'Files outside the data folder are listed in the manifest, not copied. API keys are never included; the',
    `audit HMAC key only with --export-key, sealed with a passphrase from --passphrase-file or $${PASS_ENV}.`,
    'Ctrl+C cancels and leaves no archive.',
  ].join('\n'),
  async run(ctx: CliContext) {
    const { values, positionals } = parseFlags(ctx.args, { gzip: { type: 'boolean' }, 'export-key': { type: 'boolean' }, 'passphrase-file': { type: 'string' }, json: { type: 'boolean' } });
    const [file] = positionals;
    if (!file) throw new UsageError('backup needs a FILE to write');
    const pass = values['export-key'] ? passphrase(values['passphrase-file']) : undefined;
    if (values['export-key'] && pass === undefined) throw new UsageError(`--export-key needs a passphrase: --passphrase-file F or $${PASS_ENV}`);
    const core = ctx.openCore();
    const backupId = ulid();
    let last = 0;
    const off = core.on('backup.progress', (p) => {
      if (p.backupId !== backupId || values.json || Date.now() - last < 1000) return;
      last = Date.now();
      ctx.err(`backup: ${p.phase} ${mib(p.bytesDone)} of ${mib(p.bytesTotal)}${p.part ? ` (${p.part})` : ''}\n`);
    });
    const cancel = () => void core.invoke('backup.cancel', { backupId });
    process.once('SIGINT', cancel);
    try {
      const r = await core.invoke('backup.create', { path: file, backupId, gzip: values.gzip ?? false, ...(pass !== undefined ? { keyPassphrase: pass } : {}) });
      ctx.out(values.json ? JSON.stringify(r) + '\n' : `${r.path}: ${r.parts} parts, ${mib(r.bytes)}, schema ${r.schemaVersion}${r.external ? `; ${r.external} file(s) outside the data folder listed, not copied` : ''}\n`);
      return 0;
    } finally {
      off();
      process.off('SIGINT', cancel);
    }
  },
};

export const restoreCommand: Command = {
  summary: 'replace the workspace with a backup, after verifying it (the previous one is kept aside)',
  usage: [
    'Usage: lamplight restore FILE [--passphrase-file F] [--json]',
    '',
    'Unpacks FILE into a staging folder and checks it before touching anything: every part\'s sha256 and size',
    'against the manifest, a database schema no newer than this Lamplight, PRAGMA integrity_check and the',
    'audit chain. Only then is the current workspace moved to DATA_DIR/.before-restore-<time>/ and the backup',
    'put in its place. The data folder must not be in use (stop the app and the host first; the app\'s',
    'Settings view restores at its next start instead). Restored on another machine, the audit chain is',
    'verified by its hashes and its checkpoint re-signed with this machine\'s key (recorded in the log); with',
    `the passphrase of a backup made with --export-key (--passphrase-file F or $${PASS_ENV}) the key is adopted.`,
  ].join('\n'),
  async run(ctx: CliContext) {
    const { values, positionals } = parseFlags(ctx.args, { 'passphrase-file': { type: 'string' }, json: { type: 'boolean' } });
    const [file] = positionals;
    if (!file) throw new UsageError('restore needs the backup FILE');
    const pass = passphrase(values['passphrase-file']);
    const r = await restoreNow({ dataDir: ctx.dataDir, secrets: new FileSecretStore(ctx.dataDir), appVersion: ctx.version, archive: file, ...(pass !== undefined ? { keyPassphrase: pass } : {}) });
    if (values.json) ctx.out(JSON.stringify(r) + '\n');
    else {
      const how = { 'same-key': 'its checkpoint verified with this machine\'s key', 'exported-key': 'its checkpoint verified with the exported key, now this machine\'s', 're-anchor': 'the audit chain verified by its hashes and re-anchored with this machine\'s key', none: 'no audit records' }[r.checkpoint];
      ctx.out(`Restored ${r.archive} (Lamplight ${r.appVersion}, schema ${r.schemaVersion}, ${r.parts} parts) into ${ctx.dataDir}: ${how}.\n${r.asideDir ? `The previous workspace is in ${r.asideDir}\n` : ''}`);
    }
    return 0;
  },
};

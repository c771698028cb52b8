import { useEffect } from 'react';
import { missingPermission, useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { formatBytes } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { useBackupStore } from './backup.store';

const CHECKPOINT_WORDS = {
  'same-key': 'audit checkpoint verified with this machine\'s key',
  'exported-key': 'audit checkpoint verified with the exported key, which this machine will use',
  're-anchor': 'audit chain verified by its hashes; its checkpoint will be re-signed with this machine\'s key (recorded in the log)',
  none: 'no audit records',
} as const;

/**
 * Backup of the running workspace, and restore. The running app cannot swap its database under itself, so a
 * restore is verified now and applied when Lamplight next starts; the current workspace is kept aside then.
 */
export function BackupPanel(): React.JSX.Element {
  const s = useBackupStore();
  const canBackup = useCan('backup.create');
  const canRestore = useCan('backup.restore');
  useEffect(() => {
    if (canRestore) void useBackupStore.getState().refresh();
  }, [canRestore]);
  const p = s.running?.progress ?? null;
  const pending = s.status?.pending ?? null;
  const last = s.status?.last ?? null;

  return (
    <section className="card backup-panel" aria-label="Backup and restore">
      <h3 className="card-title">Backup and restore</h3>
      <p className="api-intro">
        One archive with a consistent copy of the database (taken while Lamplight runs), the model, adapter and training files inside the data
        folder, every stored image, and a manifest of their sha256 hashes. Files outside the data folder are listed, not copied. API keys are never included; the
        audit key only if you export it with a passphrase.
      </p>
      <form
        className="api-form"
        onSubmit={(e) => {
          e.preventDefault();
          void s.create();
        }}
      >
        <label htmlFor="backup-path">Archive</label>
        <input id="backup-path" className="input mono" data-testid="backup-path" placeholder="/path/to/lamplight-backup.tar.gz" value={s.backupPath} onChange={(e) => s.setField({ backupPath: e.target.value })} />
        <span />
        <div className="backup-options">
          <label>
            <input type="checkbox" checked={s.gzip} onChange={(e) => s.setField({ gzip: e.target.checked })} /> gzip
          </label>
          <label>
            <input type="checkbox" data-testid="backup-export-key" checked={s.exportKey} onChange={(e) => s.setField({ exportKey: e.target.checked })} /> export the audit key
          </label>
          {s.exportKey ? (
            <input type="password" className="input" aria-label="Passphrase for the audit key" placeholder="passphrase (8+ characters)" autoComplete="new-password" value={s.passphrase} onChange={(e) => s.setField({ passphrase: e.target.value })} />
          ) : null}
        </div>
        <span />
        <div className="api-form-actions">
          {s.running ? (
            <button type="button" className="btn" data-testid="backup-cancel" onClick={() => void s.cancel()}>
              Cancel
            </button>
          ) : (
            <button type="submit" className="btn btn-primary" data-testid="backup-create" disabled={!s.backupPath.trim() || !canBackup} title={canBackup ? undefined : missingPermission('backup.create')}>
              Back up now
            </button>
          )}
        </div>
      </form>
      {s.running ? <ProgressBar value={p && p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : null} label={p ? `${p.phase}${p.part ? `: ${p.part}` : ''}` : 'starting'} testId="backup-progress" /> : null}
      {s.result ? (
        <p className="hint" data-testid="backup-result">
          Wrote <span className="mono">{s.result.path}</span>: {s.result.parts} parts, {formatBytes(s.result.bytes)}
          {s.result.external ? `; ${s.result.external} file(s) outside the data folder listed, not copied` : ''}.
        </p>
      ) : null}
      <ErrorNote error={s.backupError} title="The backup was not written" testId="backup-error" />

      <h4>Restore</h4>
      <form
        className="api-form"
        onSubmit={(e) => {
          e.preventDefault();
          void s.stageRestore();
        }}
      >
        <label htmlFor="restore-path">Archive</label>
        <input id="restore-path" className="input mono" data-testid="restore-path" value={s.restorePath} onChange={(e) => s.setField({ restorePath: e.target.value })} />
        <label htmlFor="restore-pass">Passphrase</label>
        <input id="restore-pass" type="password" className="input" placeholder="only for a backup with an exported audit key" autoComplete="off" value={s.restorePassphrase} onChange={(e) => s.setField({ restorePassphrase: e.target.value })} />
        <span />
        <div className="api-form-actions">
          <button type="submit" className="btn" data-testid="restore-stage" disabled={!s.restorePath.trim() || s.restoring || !canRestore} title={canRestore ? undefined : missingPermission('backup.restore')}>
            {s.restoring ? 'Verifying…' : 'Verify and restore at next start'}
          </button>
        </div>
      </form>
      <ErrorNote error={s.restoreError} title="The archive was refused; nothing was changed" testId="restore-error" />
      <ErrorNote error={s.statusError} title="Could not read the restore status" />
      {pending ? (
        <div className="hint" data-testid="restore-pending">
          Verified and waiting: <span className="mono">{pending.archive}</span> (Lamplight {pending.appVersion}, schema {pending.schemaVersion},{' '}
          {new Date(pending.createdAt).toLocaleString()}) — {CHECKPOINT_WORDS[pending.checkpoint]}. It replaces this workspace when Lamplight next
          starts; restart the app or the host to apply it.{' '}
          <button type="button" className="btn btn-small" onClick={() => void s.discardRestore()}>
            Discard
          </button>
        </div>
      ) : null}
      {last && !pending ? (
        <p className={last.ok ? 'hint' : 'field-error'} data-testid="restore-last">
          {last.message}
          {last.asideDir ? `; the previous workspace is in ${last.asideDir}` : ''}
        </p>
      ) : null}
    </section>
  );
}

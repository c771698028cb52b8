import { useState } from 'react';
import type { ExportOut } from '../../../shared/datasets.schema';
import { VISION_EXPORT_FORMATS, type ExportFormat } from '../../../shared/datasets.record';
import { api } from '../../client/bridge';
import { DownloadLinks } from '../../ui/DownloadLinks';
import { exportOrDownload, exportReady, exportVerb, isBrowserHost } from '../../ui/fileTransfer';
import { formatCount } from '../../ui/format';
import { useDatasetsStore } from './datasets.store';
import { FormDialog, useDialogAction } from './Dialog';
import { activeFilterCount, EMPTY_FILTER, toRowFilter } from './filters';

/** The downloaded file's extension per format (LLaMA-Factory's data file is a JSON array). */
const EXTENSION: Record<ExportFormat, string> = {
  messages: 'jsonl',
  'alpaca-jsonl': 'jsonl',
  'alpaca-json': 'json',
  sharegpt: 'jsonl',
  llamafactory: 'json',
  preference: 'jsonl',
  'llamafactory-vision': 'json',
  'messages-vision': 'jsonl',
};

const FORMATS: { id: ExportFormat; label: string }[] = [
  { id: 'messages', label: 'messages (OpenAI chat JSONL)' },
  { id: 'alpaca-jsonl', label: 'Alpaca JSONL' },
  { id: 'alpaca-json', label: 'Alpaca JSON array' },
  { id: 'sharegpt', label: 'ShareGPT' },
  { id: 'llamafactory', label: 'LLaMA-Factory (data + dataset_info.json)' },
  { id: 'preference', label: 'preference (chosen / rejected)' },
  { id: 'llamafactory-vision', label: 'LLaMA-Factory multimodal (images + dataset_info.json)' },
  { id: 'messages-vision', label: 'messages with image parts (Qwen2-VL scripts)' },
];

export function ExportDialog({ onClose }: { onClose: () => void }): React.JSX.Element | null {
  const info = useDatasetsStore((s) => s.info);
  const gridFilter = useDatasetsStore((s) => s.filter);
  const [format, setFormat] = useState<ExportFormat>('messages');
  const [path, setPath] = useState('');
  const [scope, setScope] = useState<'accepted' | 'grid'>('accepted');
  const [pii, setPii] = useState<'keep' | 'mask' | 'drop'>('keep');
  const [dropDuplicates, setDropDuplicates] = useState(false);
  const { busy, error, act } = useDialogAction();
  // Vision formats write a folder (data + images/), which a single download cannot carry.
  const vision = (VISION_EXPORT_FORMATS as readonly string[]).includes(format);
  const [result, setResult] = useState<ExportOut | null>(null);
  const [downloads, setDownloads] = useState<{ name: string; url: string }[]>([]);
  if (!info) return null;
  const gridActive = activeFilterCount(gridFilter);

  const run = async (): Promise<void> => {
    await act(async () => {
      setResult(null);
      setDownloads([]);
      const filter = scope === 'grid' ? toRowFilter(gridFilter) : toRowFilter({ ...EMPTY_FILTER, status: 'accepted' });
      const done = await exportOrDownload({
        purpose: 'dataset',
        path,
        fileName: `${info.name}.${EXTENSION[format]}`,
        run: (p) => api.invoke('datasets.export', { datasetId: info.id, format, path: p, filter, pii, dropDuplicates }),
        files: (o) => o.files,
      });
      setDownloads(done.downloads);
      setResult(done.out);
    });
  };

  return (
    <FormDialog
      title={`Export “${info.name}”`}
      onClose={onClose}
      testId="dataset-export-dialog"
      onSubmit={() => void run()}
      error={error}
      errorTitle="Export failed"
      result={result ? (
        <div className="note" data-testid="dataset-export-result">
          Wrote <strong className="num">{formatCount(result.rows)}</strong> rows
          {result.images !== undefined ? <> and <strong className="num">{formatCount(result.images)}</strong> images</> : null}
          {downloads.length ? (
            <DownloadLinks downloads={downloads} testId="dataset-export-downloads" />
          ) : (
            <>
              {' '}
              to{' '}
              {result.files.map((f) => (
                <span key={f} className="mono ds-path">
                  {f}
                </span>
              ))}
            </>
          )}
          <div className="muted num">
            skipped: {formatCount(result.skipped.pii)} personal data · {formatCount(result.skipped.duplicate)} duplicates · {formatCount(result.skipped.noAnswer)} without an answer
          </div>
        </div>
      ) : null}
      submitLabel={busy ? 'Exporting…' : vision ? 'Export' : exportVerb(path)}
      submitDisabled={busy || (vision ? path.trim() === '' : !exportReady(path))}
    >
      <label className="ds-field">
        <span>Format</span>
        <select className="input" aria-label="Export format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {FORMATS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <label className="ds-field">
        <span>
          {vision
            ? 'Output file (the images go to images/ beside it)'
            : isBrowserHost
              ? 'Save on the server (optional; empty: download to this browser)'
              : 'Output file'}
        </span>
        <input className="input mono" aria-label="Output path" placeholder="/path/to/train.jsonl" value={path} onChange={(e) => setPath(e.target.value)} />
      </label>
      <fieldset className="ds-field ds-radios">
        <legend>Rows</legend>
        <label className="check">
          <input type="radio" name="export-scope" checked={scope === 'accepted'} onChange={() => setScope('accepted')} />
          accepted rows ({formatCount(info.statusCounts.accepted ?? 0)})
        </label>
        <label className="check">
          <input type="radio" name="export-scope" checked={scope === 'grid'} onChange={() => setScope('grid')} />
          rows matching the current grid filter ({gridActive ? `${gridActive} condition${gridActive === 1 ? '' : 's'}` : 'all rows'})
        </label>
      </fieldset>
      <label className="ds-field">
        <span>Personal data</span>
        <select className="input" aria-label="Personal data in exported rows" value={pii} onChange={(e) => setPii(e.target.value as typeof pii)}>
          <option value="keep">keep as is</option>
          <option value="mask">mask it</option>
          <option value="drop">drop those rows</option>
        </select>
      </label>
      <label className="check ds-field-check">
        <input type="checkbox" checked={dropDuplicates} onChange={(e) => setDropDuplicates(e.target.checked)} />
        Drop duplicates (exact and near)
      </label>
    </FormDialog>
  );
}

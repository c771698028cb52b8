import { lazy, Suspense, useEffect, useState } from 'react';
import { useCan } from '../../client/session.store';
import { ErrorNote } from '../../ui/ErrorNote';
import { LabelingPanel } from './labeling/LabelingPanel';
import { formatCount, formatTime } from '../../ui/format';
import { DatasetGrid } from './DatasetGrid';
import { DatasetList } from './DatasetList';
import { useDatasetsStore, type DatasetTab } from './datasets.store';
import { FilterBar } from './FilterBar';
import { toRowFilter } from './filters';
import { ImportPanel, ImportReportNote } from './ImportPanel';
import { LabelersPanel } from './LabelersPanel';
import { QualityPanel } from './QualityPanel';
import './datasets.css';
import './datasetGrid.css';
import './datasetPanels.css';

// Dialogs are opened now and then; their pickers (prompts, targets) load with them.
const ExportDialog = lazy(() => import('./ExportDialog').then((m) => ({ default: m.ExportDialog })));
const DraftsDialog = lazy(() => import('./DraftsDialog').then((m) => ({ default: m.DraftsDialog })));

type DialogName = 'export' | 'drafts' | null;

const TABS: { id: DatasetTab; label: string }[] = [
  { id: 'rows', label: 'Rows' },
  { id: 'quality', label: 'Quality' },
  { id: 'labelers', label: 'Labelers' },
];

export function DatasetsView(): React.JSX.Element {
  const selectedId = useDatasetsStore((s) => s.selectedId);
  const importOpen = useDatasetsStore((s) => s.importOpen);
  const { refresh } = useDatasetsStore.getState();

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <div className="view view-datasets">
      <DatasetList />
      <section className="ds-main">
        {importOpen || !selectedId ? <ImportPanel /> : null}
        {selectedId && !importOpen ? <DatasetDetail key={selectedId} /> : null}
      </section>
    </div>
  );
}

function DatasetDetail(): React.JSX.Element | null {
  const info = useDatasetsStore((s) => s.info);
  const infoError = useDatasetsStore((s) => s.infoError);
  const tab = useDatasetsStore((s) => s.tab);
  const labelingAt = useDatasetsStore((s) => s.labelingAt);
  const filter = useDatasetsStore((s) => s.filter);
  const { setTab, closeLabeling } = useDatasetsStore.getState();
  const [dialog, setDialog] = useState<DialogName>(null);
  const canExport = useCan('datasets.export');

  if (!info) return <ErrorNote error={infoError} title="Could not open the dataset" />;
  return (
    <div className="ds-detail">
      <div className="ds-head">
        <div>
          <h2 className="ds-title">{info.name}</h2>
          <span className="muted num">
            {formatCount(info.rowCount)} rows · imported {formatTime(info.createdAt)}
            {info.importReport?.images ? ` from ${info.importReport.images.files} images${info.importReport.images.skipped.length ? ` (${info.importReport.images.skipped.length} ${info.importReport.images.skipped.length === 1 ? 'file' : 'files'} skipped)` : ''}` : info.importReport ? ` from ${info.importReport.format} ${info.importReport.container}` : ''}
          </span>
        </div>
        <span className="spacer" />
        <div className="ds-tabs" role="tablist" aria-label="Dataset sections">
          {TABS.map((t) => (
            <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'on' : undefined} onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
        </div>
        <button type="button" className="btn btn-small" onClick={() => setDialog('drafts')}>
          Drafts…
        </button>
        {canExport ? (
          <button type="button" className="btn btn-small btn-primary" onClick={() => setDialog('export')}>
            Export…
          </button>
        ) : null}
      </div>
      {tab === 'rows' && labelingAt === null ? <ImportReportNote /> : null}
      {tab === 'rows' ? (
        labelingAt !== null ? (
          <LabelingPanel datasetId={info.id} filter={toRowFilter(filter)} startOffset={labelingAt} onClose={closeLabeling} />
        ) : (
          <>
            <FilterBar />
            <DatasetGrid />
          </>
        )
      ) : null}
      {tab === 'quality' ? <QualityPanel /> : null}
      {tab === 'labelers' ? <LabelersPanel /> : null}
      <Suspense fallback={null}>
        {dialog === 'export' ? <ExportDialog onClose={() => setDialog(null)} /> : null}
        {dialog === 'drafts' ? <DraftsDialog onClose={() => setDialog(null)} /> : null}
      </Suspense>
    </div>
  );
}

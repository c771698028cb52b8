import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../shared/datasets.schema';
import { reportKey, shownReport, withDismissed, type ImportReport } from './importReport';

const info = (id: string, badTotal = 0): DatasetInfo => ({
  id, name: `set ${id}`, rowCount: 3, createdAt: 1, updatedAt: 1, indexedRows: 3, labelSchema: { fields: [] }, statusCounts: {} as DatasetInfo['statusCounts'], labelers: [],
  importReport: { format: 'messages', container: 'jsonl', encoding: 'utf-8', imported: 3, badTotal, bad: badTotal ? [{ line: 4, reason: 'not JSON' }] : [], ms: 5, importedAt: 1000 } as DatasetInfo['importReport'],
});
const fresh: ImportReport = { datasetId: 'A', name: 'set A', imported: 3, badTotal: 0, bad: [], importedAt: 1000 };

describe('the import report', () => {
  it('shows with the dataset it belongs to, not with another one', () => {
    expect(shownReport(fresh, info('A'), [])).toBe(fresh);
    expect(shownReport(fresh, info('B'), [])).toBeNull();
    expect(shownReport(fresh, null, [])).toBeNull();
  });
  it('stays closed once dismissed, for that import only', () => {
    const dismissed = withDismissed([], reportKey(fresh));
    expect(shownReport(fresh, info('A'), dismissed)).toBeNull();
    expect(shownReport({ ...fresh, importedAt: 2000 }, info('A'), dismissed)).not.toBeNull();
  });
  it('after a reload, keeps a report with bad lines readable until dismissed', () => {
    const r = shownReport(null, info('B', 2), []);
    expect(r).toMatchObject({ datasetId: 'B', badTotal: 2, bad: [{ line: 4 }] });
    expect(shownReport(null, info('B', 2), [reportKey(r as ImportReport)])).toBeNull();
    expect(shownReport(null, info('C', 0), [])).toBeNull();
  });
  it('after a reload, keeps an image import with skipped files or notes readable, and drops one with neither', () => {
    const withImages = (images: object): DatasetInfo => ({ ...info('D'), importReport: { ...info('D').importReport, images: { dir: '/x', sidecar: null, files: 2, skipped: [], ...images } } as DatasetInfo['importReport'] });
    const notes = [{ file: 'a.webp', note: 'animated WEBP with 3 frames: only the first frame is kept' }];
    expect(shownReport(null, withImages({ notes }), [])?.images).toEqual({ files: 2, skipped: [], notes });
    expect(shownReport(null, withImages({ skipped: [{ file: 'x.txt', reason: 'not an image' }] }), [])?.images?.notes).toEqual([]);
    expect(shownReport(null, withImages({}), [])).toBeNull();
  });
  it('remembers each dismissal once', () => {
    expect(withDismissed(['x', 'y'], 'x')).toEqual(['y', 'x']);
  });
});

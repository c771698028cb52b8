// A child process for the kill -9 test: labels rows one by one and prints "ack ROW NOTE" only after
// datasets.label returned, i.e. after the app would have shown "Saved".
import { writeSync } from 'node:fs';
import { createCore } from '../../createCore';

const [dataDir, datasetId, labelerId, firstRow, count, tag] = process.argv.slice(2) as [string, string, string, string, string, string];
const core = createCore({ dataDir, version: '0.0.0-test', transport: 'browser-host' });
writeSync(1, 'ready\n');
for (let i = 0; i < Number(count); i++) {
  const rowId = Number(firstRow) + i;
  const note = `${tag}-${i}`;
  await core.invoke('datasets.label', { datasetId, rowId, labelerId, patch: { status: i % 2 === 0 ? 'accepted' : 'rejected', rating: (i % 5) + 1, note } });
  writeSync(1, `ack ${rowId} ${note}\n`);
}
await core.close();

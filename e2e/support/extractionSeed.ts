// Seeds a data folder for e2e/extraction.e2e.ts through a real core: the invoice image, the template, a
// remote target on the given loopback server, the prompt and the evaluation, run to the end.
// Usage: node --import tsx e2e/support/extractionSeed.ts DATA_DIR BASE_URL
import sharp from 'sharp';
import { createCore } from '../../src/core/createCore';
import { nextEvent } from '../../src/core/testing/testCore';

const [dataDir, baseUrl] = process.argv.slice(2) as [string, string];
const REFERENCE = { seller: 'Acme  Trading', invoice_number: 'INV-2025-0042', issue_date: '2025年10月1日', total: '¥1,280.00' };
const vl = { baseUrl };

const core = createCore({ dataDir, version: '0.0.0-e2e', transport: 'browser-host' });
const png = await sharp({ text: { text: '<span foreground="black">Invoice INV-2025-0042\nACME Trading\n2025-10-01\nTotal ¥1,280.00</span>', font: 'sans 24', dpi: 150, rgba: true } })
  .flatten({ background: '#ffffff' })
  .png()
  .toBuffer();
const image = await core.invoke('images.addData', { name: 'invoice.png', dataBase64: png.toString('base64') });
const template = await core.invoke('extraction.save', {
  name: 'Invoice',
  instructions: 'Extract the invoice fields as JSON.',
  fields: [
    { name: 'seller', type: 'text', caseSensitive: false },
    { name: 'invoice_number', type: 'id' },
    { name: 'issue_date', type: 'date', dateOrder: 'DMY' },
    { name: 'total', type: 'amount', decimal: '.' },
  ],
});
// acceptsImages 'yes': the fake server lists no vision capability, so 'auto' could not tell.
const target = await core.invoke('targets.add', { name: 'vl box', baseUrls: [vl.baseUrl], maxRetries: 0, acceptsImages: 'yes' });
// The real mechanism: an image column in a test set, filled from it into {{image:invoice}}.
const set = await core.invoke('testsets.create', { name: 'invoices', variables: ['invoice'], imageVariables: ['invoice'] });
await core.invoke('testsets.addRow', { testSetId: set.id, variables: { invoice: image.hash }, expected: JSON.stringify(REFERENCE) });
const prompt = await core.invoke('prompts.create', {
  name: 'Invoice extraction',
  description: '',
  content: { messages: [{ role: 'user', content: `${template.instructions} {{image:invoice}}` }], params: { temperature: 0 } },
  message: '',
  author: 'e2e',
});
// A second version, so the view shows the A/B verdict on document-level correctness.
const v2 = await core.invoke('prompts.saveVersion', {
  promptId: prompt.prompt.id,
  parentId: prompt.version.id,
  content: { messages: [{ role: 'user', content: `${template.instructions} Answer with JSON only. {{image:invoice}}` }], params: { temperature: 0 } },
  message: 'JSON only',
  author: 'e2e',
});
const ev = await core.invoke('evals.create', {
  name: 'invoice fields',
  promptVersionIds: [prompt.version.id, v2.id],
  targets: [{ kind: 'remote', targetId: target.id, model: 'fake-vl' }],
  testSetId: set.id,
  assertions: [{ type: 'fields', templateId: template.id, fields: template.fields }],
});
const done = nextEvent(core, 'evals.progress', (p) => p.evalId === ev.id && p.status !== 'running');
await core.invoke('evals.start', { evalId: ev.id });
const status = (await done).status;
if (status !== 'done') throw new Error(`the evaluation ended ${status}`);
await core.close();
// The spec checks that the image the server got is this one (its size).
const meta = await sharp(png).metadata();
console.log(`eval done ${meta.width}x${meta.height}`);

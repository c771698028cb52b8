// Extraction in a real browser: an invoice-like image rendered by sharp, an extraction template, and an
// evaluation on a loopback "VL" server (a fake that answers fixed JSON with the total wrong) seeded
// through a real core on the host's data folder; the Extraction view then shows the per-field table.
// The image reaches the server only with image runs on remote targets (branch h/visionruns): until that is
// merged the server still answers, so the table is right, but the image part is not asserted on.
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { createCore } from '../src/core/createCore';
import { nextEvent } from '../src/core/testing/testCore';
import { listenLoopback, streamWords } from './support/fakeOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';

const ANSWER = { seller: 'ACME Trading', invoice_number: 'inv-2025-0042', issue_date: '01/10/2025', total: '1,290.00' };
const REFERENCE = { seller: 'Acme  Trading', invoice_number: 'INV-2025-0042', issue_date: '2025年10月1日', total: '¥1,280.00' };

let host: RunningHost | undefined;
let vl: { baseUrl: string; close(): Promise<void> } | undefined;
const bodies: string[] = [];
test.afterAll(async () => {
  await host?.stop();
  await vl?.close();
});

test('an invoice image through an extraction template: per-field accuracy and the confusion', async ({ page }) => {
  test.setTimeout(300_000);
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url?.endsWith('/v1/models')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'fake-vl', object: 'model', owned_by: 'fake' }] }));
        return;
      }
      bodies.push(body);
      streamWords(res, 'fake-vl', [JSON.stringify(ANSWER)], 5);
    });
  });
  vl = await listenLoopback(server);

  const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-extraction-e2e-'));
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
  const target = await core.invoke('targets.add', { name: 'vl box', baseUrls: [vl.baseUrl], maxRetries: 0 });
  const prompt = await core.invoke('prompts.create', {
    name: 'Invoice extraction',
    description: '',
    content: { messages: [{ role: 'user', content: `${template.instructions} {{invoice}}` }], params: { temperature: 0 } },
    message: '',
    author: 'e2e',
  });
  const ev = await core.invoke('evals.create', {
    name: 'invoice fields',
    promptVersionIds: [prompt.version.id],
    targets: [{ kind: 'remote', targetId: target.id, model: 'fake-vl' }],
    rows: [{ variables: { invoice: image.hash }, expected: JSON.stringify(REFERENCE) }],
    assertions: [{ type: 'fields', templateId: template.id, fields: template.fields }],
  });
  const done = nextEvent(core, 'evals.progress', (p) => p.evalId === ev.id && p.status !== 'running');
  await core.invoke('evals.start', { evalId: ev.id });
  expect((await done).status).toBe('done');
  await core.close();
  expect(bodies.length).toBe(1);

  host = await startHostProcess(dataDir);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  await page.getByTestId('nav-extraction').click();
  await page.getByLabel('Evaluation').selectOption({ label: 'invoice fields' });
  const table = page.getByRole('table', { name: /Field accuracy/ });
  await expect(table.getByRole('row', { name: /^seller 100\.0% 1\/1/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^invoice_number 100\.0% 1\/1/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^issue_date 100\.0% 1\/1/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^total 0\.0% 0\/1/ })).toBeVisible();
  await expect(page.getByText(/document accuracy 0\.0% \(0\/1\)/)).toBeVisible();
  const confusion = page.locator('.extraction-confusions li').first();
  await expect(confusion).toContainText('1290 ≠ 1280');
  await expect(confusion.getByRole('img', { name: 'row 1' })).toBeVisible();
  await page.screenshot({ path: '/tmp/shots-extraction/e2e-field-results.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});

// Extraction in a real browser: an invoice-like image rendered by sharp, an extraction template, and an
// evaluation on a loopback "VL" server (a fake that answers fixed JSON with the total wrong) seeded
// through a real core on the host's data folder; the Extraction view then shows the per-field table.
// The image reaches the server only with image runs on remote targets (branch h/visionruns): until that is
// merged the server still answers, so the table is right, but the image part is not asserted on.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { textPdf } from '../src/core/pdf/testPdfs';
import { listenLoopback, streamWords } from './support/fakeOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';

const ANSWER = { seller: 'ACME Trading', invoice_number: 'inv-2025-0042', issue_date: '01/10/2025', total: '1,290.00' };

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
  // The playwright process cannot import the core (JSON imports need tsx): a child seeds the data folder.
  // Asynchronously: the fake server answers from this process.
  const seeded = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'e2e/support/extractionSeed.ts', dataDir, vl.baseUrl], { timeout: 120_000 });
  expect(seeded.stdout).toContain('eval done');
  expect(bodies.length).toBe(2);

  host = await startHostProcess(dataDir);
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  await page.getByTestId('nav-extraction').click();
  await page.getByLabel('Evaluation').selectOption({ label: 'invoice fields' });
  const table = page.getByRole('table', { name: /Field accuracy Invoice extraction v1/ });
  await expect(table.getByRole('row', { name: /^seller 100\.0% 1\/1/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^invoice_number 100\.0% 1\/1/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^issue_date 100\.0% 1\/1/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /^total 0\.0% 0\/1/ })).toBeVisible();
  await expect(page.getByText(/document accuracy 0\.0% \(0\/1\)/)).toHaveCount(2);
  // Both versions got the same answer: no difference on document-level correctness.
  await expect(page.getByTestId('extraction-verdict')).toContainText('no significant difference');
  const confusion = page.locator('.extraction-confusions li').first();
  await expect(confusion).toContainText('1290 ≠ 1280');
  await expect(confusion.getByRole('img', { name: 'row 1' })).toBeVisible();
  await page.screenshot({ path: '/tmp/shots-extraction/e2e-field-results.png', fullPage: true });

  // The saved template opens with its rules and the JSON schema runs are constrained to.
  await page.getByLabel('Open template').selectOption({ label: 'Invoice (v1)' });
  await expect(page.getByLabel('field 3 rule')).toHaveValue('DMY');
  await page.getByLabel('Instructions').fill('Extract the invoice fields as JSON. Dates as written.');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByText('Saved as version 2')).toBeVisible();
  await page.screenshot({ path: '/tmp/shots-extraction/e2e-template.png', fullPage: true });

  // A PDF: its text layer, then pages 1-2 rendered into the image store; a bad range is refused by name.
  const pdf = join(dataDir, 'scan.pdf');
  writeFileSync(pdf, textPdf(['Invoice No. 42', 'Total 1,280.00']));
  await page.getByLabel('PDF path').fill(pdf);
  await page.getByRole('button', { name: 'Read text layer' }).click();
  await expect(page.getByRole('list', { name: 'Text layer' })).toContainText('scan.pdf p2 Total 1,280.00');
  await page.getByLabel('Pages').fill('1-3');
  await page.getByRole('button', { name: 'Render pages as images' }).click();
  await expect(page.getByRole('alert')).toContainText('scan.pdf has 2 pages, "1-3" asks for page 3');
  await page.getByLabel('Pages').fill('1-2');
  await page.getByRole('button', { name: 'Render pages as images' }).click();
  await expect(page.getByRole('img', { name: 'page 2' })).toBeVisible();
  await page.getByRole('region', { name: 'PDF' }).screenshot({ path: '/tmp/shots-extraction/e2e-pdf.png' });
  expect(consoleErrors).toEqual([]);
});

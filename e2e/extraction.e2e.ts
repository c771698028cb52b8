// Extraction in a real browser: an invoice-like image rendered by sharp, an extraction template, and an
// evaluation on a loopback "VL" server (a fake that answers fixed JSON with the total wrong) seeded
// through a real core on the host's data folder; the Extraction view then shows the per-field table.
// The invoice goes through the real mechanism: a test set image column filled into {{image:invoice}} on a
// target that accepts images; the server records the image_url parts it got and the spec decodes them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { textPdf } from '../src/core/pdf/testPdfs';
import { listenLoopback, streamWords } from './support/fakeOpenAi';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { EvalsPage } from './support/evalPages';

const REFERENCE = { seller: 'Acme  Trading', invoice_number: 'INV-2025-0042', issue_date: '2025年10月1日', total: '¥1,280.00' };
const ANSWER = { seller: 'ACME Trading', invoice_number: 'inv-2025-0042', issue_date: '01/10/2025', total: '1,290.00' };

let host: RunningHost | undefined;
let vl: { baseUrl: string; close(): Promise<void> } | undefined;
const bodies: string[] = [];
/** The last part: the server answers 400 to json_schema, as one without guided decoding does. */
let refuseSchema = false;

/** The data URLs of the image_url parts of the user messages of a chat request body. */
function imageUrls(body: string): string[] {
  const req = JSON.parse(body) as { messages: { content: string | { type: string; image_url?: { url: string } }[] }[] };
  return req.messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((p) => p.type === 'image_url').map((p) => p.image_url?.url ?? '')));
}

/** Width x height of a PNG data URL, decoded by sharp; throws when it is not a PNG. */
async function pngSize(url: string): Promise<string> {
  const m = /^data:image\/png;base64,(.+)$/.exec(url);
  if (!m) throw new Error(`not a PNG data URL: ${url.slice(0, 40)}`);
  const meta = await sharp(Buffer.from(m[1] as string, 'base64')).metadata();
  expect(meta.format).toBe('png');
  return `${meta.width}x${meta.height}`;
}
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
      if (refuseSchema) {
        if (body.includes('"response_format"')) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "response_format 'json_schema' is not supported" } }));
          return;
        }
        // Unconstrained: the version that asks for JSON only gets it, the other gets prose (invalid).
        streamWords(res, 'fake-vl', [body.includes('JSON only') ? JSON.stringify(ANSWER) : 'The total is 1,290.00.'], 5);
        return;
      }
      // The 4th request (the try panel's second run) gets prose, so the panel shows invalid JSON.
      streamWords(res, 'fake-vl', [bodies.length === 4 ? 'Sorry, I cannot read it.' : JSON.stringify(ANSWER)], 5);
    });
  });
  vl = await listenLoopback(server);

  const dataDir = mkdtempSync(join(tmpdir(), 'lamplight-extraction-e2e-'));
  // The playwright process cannot import the core (JSON imports need tsx): a child seeds the data folder.
  // Asynchronously: the fake server answers from this process.
  const seeded = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'e2e/support/extractionSeed.ts', dataDir, vl.baseUrl], { timeout: 120_000 });
  const size = /eval done (\d+x\d+)/.exec(seeded.stdout)?.[1];
  expect(size).toBeTruthy();
  expect(bodies.length).toBe(2);
  // Each version's request carried the invoice as one image part, not its hash as text.
  for (const body of bodies) {
    const urls = imageUrls(body);
    expect(urls).toHaveLength(1);
    expect(await pngSize(urls[0] as string)).toBe(size);
    expect(body).not.toMatch(/[0-9a-f]{64}/);
    // The evaluation's fields check names the template: its schema went with every case.
    const rf = (JSON.parse(body) as { response_format?: { type: string; json_schema?: { schema: { properties: object } } } }).response_format;
    expect(rf?.type).toBe('json_schema');
    expect(Object.keys(rf?.json_schema?.schema.properties ?? {})).toEqual(['seller', 'invoice_number', 'issue_date', 'total']);
  }

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

  // Try the template on one attached image: the run goes to the fake server with the image and the schema.
  const tryPanel = page.getByRole('region', { name: 'Try on an image' });
  const tryPng = join(dataDir, 'try.png');
  await sharp({ create: { width: 320, height: 200, channels: 3, background: '#ffffff' } }).png().toFile(tryPng);
  await tryPanel.getByLabel('Try template').selectOption({ label: 'Invoice (v2)' });
  await tryPanel.getByLabel('Try target').selectOption({ label: 'vl box' });
  await expect(tryPanel.getByLabel('Try model')).toHaveValue('fake-vl');
  await tryPanel.getByLabel('Try image file').setInputFiles(tryPng);
  await expect(tryPanel.getByRole('img', { name: 'try try.png' })).toBeVisible();
  await tryPanel.getByLabel('Try reference').fill(JSON.stringify(REFERENCE));
  await tryPanel.getByRole('button', { name: 'Run extraction' }).click();
  const tryFields = tryPanel.getByRole('table', { name: 'Try fields' });
  await expect(tryFields.getByRole('row', { name: /^total 1,290\.00 ¥1,280\.00 no:/ })).toBeVisible();
  await expect(tryFields.getByRole('row', { name: /^seller ACME Trading Acme\s+Trading match$/ })).toBeVisible();
  await expect(tryFields.getByRole('row', { name: /^issue_date 01\/10\/2025 2025年10月1日 match$/ })).toBeVisible();
  await expect(tryPanel.getByTestId('try-document')).toHaveText('document not correct');
  await expect(tryPanel.getByTestId('try-invalid')).toHaveCount(0);
  expect(bodies.length).toBe(3);
  const tried = JSON.parse(bodies[2] as string) as { response_format?: { type: string; json_schema?: { schema: { properties: object } } } };
  expect(tried.response_format?.type).toBe('json_schema');
  expect(Object.keys(tried.response_format?.json_schema?.schema.properties ?? {})).toEqual(['seller', 'invoice_number', 'issue_date', 'total']);
  const triedUrls = imageUrls(bodies[2] as string);
  expect(triedUrls).toHaveLength(1);
  expect(await pngSize(triedUrls[0] as string)).toBe('320x200');
  await tryPanel.screenshot({ path: '/tmp/shots-extrafinish/e2e-try.png' });

  // A rendered PDF page as the image; the server answers prose: shown as invalid, with the reason.
  await tryPanel.getByRole('button', { name: 'Use page 1' }).click();
  await expect(tryPanel.getByRole('img', { name: 'try scan.pdf p1' })).toBeVisible();
  await tryPanel.getByRole('button', { name: 'Run extraction' }).click();
  await expect(tryPanel.getByTestId('try-invalid')).toContainText('Invalid: the output is not JSON');
  await expect(tryPanel.getByLabel('Extracted JSON')).toHaveText('Sorry, I cannot read it.');
  expect(bodies.length).toBe(4);
  expect(imageUrls(bodies[3] as string)).toHaveLength(1);
  await tryPanel.screenshot({ path: '/tmp/shots-extrafinish/e2e-try-invalid.png' });

  // An evaluation made in the Evaluations view: the fields check picks the template, the form says the
  // output is constrained to its schema; the server refuses json_schema, so the cases run unconstrained,
  // the view says so, and the prose answer is counted invalid (and wrong in the A/B comparison).
  refuseSchema = true;
  const evals = new EvalsPage(page);
  await evals.open();
  await page.getByTestId('eval-name-input').fill('invoice constrained');
  await evals.pickPrompt('Invoice extraction');
  await expect(evals.version(2)).toBeChecked();
  await evals.pickTarget(0, /fake-vl/);
  await evals.pickTestSet('invoices');
  await page.getByRole('button', { name: 'Remove assertion 1' }).click();
  const fieldsCheck = await evals.addAssertion('fields');
  await expect(page.getByTestId('eval-constrain')).toHaveCount(1);
  await fieldsCheck.getByTestId('eval-assertion-template').selectOption({ label: 'Invoice (v2, 4 fields)' });
  const toggle = page.getByTestId('eval-constrain');
  await expect(toggle).toBeChecked();
  await expect(page.locator('label.check', { has: toggle })).toHaveText("Output constrained to Invoice's schema");
  await page.locator('.ev-form').screenshot({ path: '/tmp/shots-extractschema/e2e-eval-form-constrained.png' });
  await toggle.uncheck();
  await expect(page.getByText('Off: each version runs with its own schema')).toBeVisible();
  await toggle.check();
  const before = bodies.length;
  await page.getByTestId('eval-start').click();
  await evals.waitFinished(120_000);
  await expect(page.getByTestId('eval-schema-refused')).toContainText("vl box · fake-vl refused the schema, so its cases ran unconstrained and were checked after: POST http://127.0.0.1");
  await expect(page.getByTestId('eval-schema-refused')).toContainText("400 Bad Request — response_format 'json_schema' is not supported");
  await expect(page.getByTestId('eval-output-schema')).toContainText("Output constrained to Invoice's schema");
  await expect(page.getByTestId('eval-invalid')).toHaveText(['1/1', '0/1']);
  await expect(page.getByTestId('eval-compare-invalid')).toHaveText('A 1 · B 0');
  await expect(page.getByTestId('eval-verdict')).toContainText('Invalid outputs, counted as wrong: A 1, B 0.');
  const sent = bodies.slice(before).map((b) => (b.includes('"response_format"') ? 'schema' : 'none'));
  expect(sent.filter((x) => x === 'schema').length).toBeGreaterThanOrEqual(1);
  expect(sent.filter((x) => x === 'none')).toHaveLength(2);
  await page.screenshot({ path: '/tmp/shots-extractschema/e2e-eval-refused.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});

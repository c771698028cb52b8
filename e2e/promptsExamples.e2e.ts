// "Start from an example" in the Prompts view: the shipped example templates are listed, picking one creates
// it as a prompt (v1, through prompts.create) and opens it with its building blocks filled in; picking the
// same one again gives it a free name instead of a refusal.
import { expect, test } from '@playwright/test';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { PromptsPage } from './support/promptPages';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

const shot = (name: string) => `test-results/screens/${name}.png`;

test('start from an example template', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const prompts = new PromptsPage(page);
  await prompts.open();

  const picker = page.getByTestId('example-templates');
  await expect(picker.getByRole('heading', { name: 'Start from an example' })).toBeVisible();
  await expect(picker.locator('.pr-starter-card')).toHaveCount(5);
  await expect(page.getByTestId('example-template-extract-fields')).toContainText('Extract fields as JSON');
  await page.screenshot({ path: shot('prompts-example-picker') });

  await page.getByTestId('example-template-classify').click();
  await expect(prompts.row('Classify with labels')).toBeVisible();
  await expect(page.getByTestId('prompt-name-input')).toHaveValue('Classify with labels');
  await expect(page.getByTestId('prompt-example-input-0')).toHaveValue('I was charged twice for my order.');
  await expect(prompts.preview()).toContainText('Classify the customer message into exactly one of these labels');
  await expect(picker).toBeHidden();
  await page.screenshot({ path: shot('prompts-example-opened') });

  // Back to the library's start page (a reload), and the same example again: a second prompt, "(2)".
  await page.reload();
  await prompts.open();
  await page.getByTestId('example-template-classify').click();
  await expect(page.getByTestId('prompt-name-input')).toHaveValue('Classify with labels (2)');
  await expect(page.getByTestId('prompt-row')).toHaveCount(2);
  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

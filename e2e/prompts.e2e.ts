// The prompt library in a real browser against the browser host: create a prompt, save v1 and v2, diff
// them in Monaco's diff editor, move the production label, restore v1 as v3, open v3 in the Playground,
// a save from a stale parent refused with CONFLICT and recovered with Reload latest, fork, custom labels.
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

test('prompt library: versions, diff, labels, restore, Open in Playground, conflict', async ({ page, context }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(host.url);
  const prompts = new PromptsPage(page);
  await prompts.open();
  // Placed after the Playground in the nav's Build section; the older views keep their Ctrl+digit.
  await expect(page.locator('.nav-item').nth(1)).toHaveAttribute('data-testid', 'nav-prompts');
  await page.keyboard.press('Control+3');
  await expect(page.getByTestId('nav-history')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Control+7');
  await expect(page.getByTestId('nav-prompts')).toHaveAttribute('aria-current', 'page');

  // A new prompt: messages, building blocks, a variable, and the live preview.
  await prompts.newPrompt('Tide explainer');
  await prompts.typeMessage(0, 'Answer in plain words.');
  await prompts.typeMessage(1, 'Explain {{topic}} to a child.');
  await page.getByTestId('prompt-persona').fill('You are a patient oceanographer.');
  await page.getByTestId('prompt-cot').check();
  await page.getByTestId('prompt-example-add').click();
  await page.getByTestId('prompt-example-input-0').fill('Explain waves to a child.');
  await page.getByTestId('prompt-example-output-0').fill('Wind pushes the water into bumps.');
  await expect(page.getByTestId('prompt-var-input-topic')).toBeVisible();
  await page.getByTestId('prompt-var-input-topic').fill('neap tides');
  await expect(prompts.preview()).toContainText('You are a patient oceanographer.');
  await expect(prompts.preview()).toContainText('Think step by step');
  await expect(prompts.preview()).toContainText('Explain neap tides to a child.');
  await expect(page.getByTestId('prompt-dirty')).toBeVisible();

  // The schema's order rules show inline: an assistant turn cannot be last.
  await page.getByTestId('prompt-role-1').selectOption('assistant');
  await expect(page.getByTestId('prompt-message-error-1')).toContainText('last message must be the user message');
  await page.getByTestId('prompt-role-1').selectOption('user');
  await expect(page.getByTestId('prompt-message-error-1')).toHaveCount(0);
  await page.locator('.pr-compose').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: shot('31-prompt-editor') });

  await prompts.save('First draft');
  await expect(page.getByTestId('prompt-dirty')).toHaveCount(0);
  await expect(prompts.row('Tide explainer')).toContainText('v1');

  // v2: an edit, marked unsaved until saved.
  await prompts.typeMessage(1, 'Explain {{topic}} to a teenager in {{count}} sentences.');
  await expect(page.getByTestId('prompt-dirty')).toBeVisible();
  await page.getByTestId('prompt-var-input-count').fill('three');
  await expect(prompts.preview()).toContainText('Explain neap tides to a teenager in three sentences.');
  await page.getByTestId('prompt-save-message').fill('Older audience');
  await page.keyboard.press('ControlOrMeta+S');
  await expect(prompts.row('Tide explainer')).toContainText('v2');
  await expect(page.getByTestId('prompt-dirty')).toHaveCount(0);

  // History: diff v1 ↔ v2 in Monaco's diff editor, with the line counts.
  await prompts.history();
  await expect(page.getByTestId('version-row')).toHaveCount(2);
  await expect(page.getByTestId('version-row').first()).toContainText('Older audience');
  await prompts.diff(1, 2);
  await expect(page.getByTestId('diff-editor').locator('.monaco-diff-editor')).toBeVisible();
  await expect(page.getByTestId('diff-counts')).toContainText('+1');
  await expect(page.getByTestId('diff-counts')).toContainText('−1');
  await expect(page.getByTestId('diff-editor')).toContainText('teenager');

  // production on v1, then moved to v2: the chip moves and the move is recorded.
  await prompts.setLabel(1, 'production');
  await expect(prompts.labelsOf(1)).toHaveText(['production']);
  await prompts.setLabel(2, 'production');
  await expect(prompts.labelsOf(2)).toHaveText(['production']);
  await expect(prompts.labelsOf(1)).toHaveCount(0);
  await expect(page.getByTestId('label-history')).toContainText('v1 → v2');
  await expect(prompts.row('Tide explainer').getByTestId('label-chip')).toContainText('production');
  await page.screenshot({ path: shot('32-prompt-history-diff') });

  // Restore v1 as v3: a new version with v1's content; nothing is rewritten.
  await prompts.restore(1, 'the child audience tested better');
  await expect(page.getByTestId('version-row')).toHaveCount(3);
  await expect(prompts.version(3)).toContainText('Restore v1: the child audience tested better');
  await expect(prompts.version(3)).toContainText('restored v1');
  await expect(prompts.labelsOf(2)).toHaveText(['production']);
  await expect(prompts.row('Tide explainer')).toContainText('v3');

  // Open v3 in the Playground: rendered by the core with the variable values typed here.
  await expect(page.getByTestId('open-in-playground')).toHaveText('Open v3 in Playground');
  await page.getByTestId('open-in-playground').click();
  await expect(page.getByTestId('nav-playground')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('playground-from-prompt')).toContainText('Tide explainer v3');
  await expect(page.getByTestId('user-editor')).toContainText('Explain neap tides to a child.');
  await expect(page.getByTestId('user-editor')).toContainText('Example input:');
  await expect(page.getByTestId('system-editor')).toContainText('You are a patient oceanographer.');
  await page.screenshot({ path: shot('33-playground-from-prompt') });

  // The library: the prompt with its latest version, label and time.
  await prompts.open();
  await prompts.newPrompt('Haiku');
  await prompts.typeMessage(1, 'A haiku about {{subject}}.');
  await prompts.save('');
  await expect(prompts.row('Haiku')).toContainText('v1');
  await page.getByTestId('prompt-search').fill('prod');
  await expect(page.getByTestId('prompt-row')).toHaveCount(1);
  await page.getByTestId('prompt-search').fill('');
  await expect(page.getByTestId('prompt-row')).toHaveCount(2);
  await prompts.row('Tide explainer').click();
  await prompts.editor();
  await page.screenshot({ path: shot('30-prompt-library') });

  // A save from a stale parent: another tab saves v4 first; this one is refused and reloads the latest.
  await prompts.typeMessage(1, 'Explain {{topic}} to a sailor.');
  await expect(page.getByTestId('prompt-dirty')).toBeVisible();
  const other = await context.newPage();
  await other.goto(host.url);
  const otherPrompts = new PromptsPage(other);
  await otherPrompts.open();
  await otherPrompts.row('Tide explainer').click();
  await otherPrompts.typeMessage(1, 'Explain {{topic}} to a surfer.');
  await otherPrompts.save('Surfers');
  await expect(otherPrompts.row('Tide explainer')).toContainText('v4');
  await other.close();

  await prompts.save('Sailors');
  await expect(page.getByTestId('prompt-error')).toContainText('a newer version exists');
  await expect(page.getByTestId('prompt-error')).toContainText('started from v3 but the latest is v4');
  await expect(page.getByTestId('prompt-stale')).toContainText('v4 is newer');
  await page.screenshot({ path: shot('34-prompt-conflict') });
  await page.getByTestId('prompt-reload-latest').click();
  await expect(page.getByTestId('prompt-error')).toHaveCount(0);
  await expect(page.getByTestId('prompt-message-editor-1')).toContainText('surfer');
  await expect(page.getByTestId('prompt-dirty')).toHaveCount(0);
  await expect(prompts.row('Tide explainer')).toContainText('v4');
  // Saving an unchanged copy (Ctrl+S; the button is disabled) is refused too, and says so.
  await page.getByTestId('prompt-message-editor-1').locator('.monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByTestId('prompt-error')).toContainText('nothing changed');
  await expect(page.getByTestId('prompt-error')).toContainText('Nothing changed since v4.');

  // Fork the latest into a new prompt: it opens, with its own v1.
  await prompts.history();
  await page.getByTestId('version-fork').click();
  await expect(page.getByTestId('fork-name-input')).toHaveValue('Tide explainer (fork)');
  await page.getByTestId('version-fork-confirm').click();
  await expect(page.getByTestId('prompt-name-input')).toHaveValue('Tide explainer (fork)');
  await expect(prompts.row('Tide explainer (fork)')).toContainText('v1');
  await expect(page.getByTestId('prompt-message-editor-1')).toContainText('surfer');

  // A custom label must be a slug; it can be removed again.
  await prompts.history();
  await page.getByTestId('label-choice').selectOption({ label: 'custom…' });
  await page.getByTestId('label-custom-input').fill('Staging');
  await expect(page.getByTestId('label-set')).toBeDisabled();
  await page.getByTestId('label-custom-input').fill('staging');
  await page.getByTestId('label-set').click();
  await expect(prompts.labelsOf(1)).toHaveText(['staging']);
  await page.getByRole('button', { name: 'Remove label staging' }).click();
  await expect(prompts.labelsOf(1)).toHaveCount(0);
  await expect(page.getByTestId('label-history')).toContainText('removed from v1');

  // Removing asks first; the prompt leaves the library.
  await prompts.row('Haiku').click();
  await page.getByTestId('prompt-remove').click();
  await page.getByTestId('prompt-remove-confirm').click();
  await expect(page.getByTestId('prompt-row')).toHaveCount(2);

  expect(consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

// Page objects for the Guardrails and Audit views and the Playground's guard strips, in the words of their test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class GuardPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-guard').click();
    await expect(this.page.getByTestId('guard-pii')).toBeVisible();
  }

  async addWordsRule(name: string, words: string[], action: 'flag' | 'block'): Promise<void> {
    await this.page.getByTestId('guard-rule-new').click();
    const editor = this.page.getByTestId('guard-rule-editor');
    await editor.getByTestId('guard-rule-name').fill(name);
    await editor.getByTestId('guard-rule-kind').selectOption('words');
    await editor.getByTestId('guard-rule-action').selectOption(action);
    await editor.getByTestId('guard-rule-words').fill(words.join('\n'));
    await editor.getByTestId('guard-rule-done').click();
    await expect(this.page.getByTestId('guard-rule-row').filter({ hasText: name })).toBeVisible();
  }

  async save(): Promise<void> {
    await this.page.getByTestId('guard-save').click();
    await expect(this.page.getByTestId('guard-savebar')).toContainText('Policy saved');
  }

  profileRow(name: string): Locator {
    return this.page.getByTestId('guard-profile-row').filter({ hasText: name });
  }

  async createProfile(name: string, role: string): Promise<void> {
    await this.page.getByTestId('guard-profile-name').fill(name);
    await this.page.getByTestId('guard-profile-new-role').selectOption(role);
    await this.page.getByTestId('guard-profile-create').click();
    await expect(this.profileRow(name)).toBeVisible();
  }

  /** Issues a new access link for the profile and returns it (it is shown once). */
  async issueLink(name: string): Promise<string> {
    await this.profileRow(name).getByTestId('guard-issue-link').click();
    const link = this.page.getByTestId('guard-issued-link');
    await expect(link).toHaveValue(/\?token=\S+/);
    return link.inputValue();
  }
}

export class AuditPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-audit').click();
    await expect(this.page.getByTestId('audit-filters')).toBeVisible();
  }

  rows(kind?: string): Locator {
    const rows = this.page.getByTestId('audit-row');
    return kind ? this.page.locator(`[data-testid="audit-row"][data-kind="${kind}"]`) : rows;
  }

  async verify(): Promise<Locator> {
    await this.page.getByTestId('audit-verify').click();
    const result = this.page.getByTestId('audit-verify-result');
    await expect(result).toBeVisible();
    return result;
  }
}

/** Picks the first enabled option of the Playground's model select whose text contains `needle`. */
export async function choosePlaygroundModel(page: Page, needle: string): Promise<void> {
  const select = page.getByTestId('playground-model-select');
  await expect(select.locator('option', { hasText: needle }).first()).toBeAttached();
  const options = await select.locator('option').evaluateAll((els) =>
    els.map((o) => ({ text: o.textContent ?? '', value: o.getAttribute('value') ?? '', disabled: o.hasAttribute('disabled') })),
  );
  const option = options.find((o) => !o.disabled && o.text.includes(needle));
  if (!option) throw new Error(`No playground option containing "${needle}"`);
  await select.selectOption(option.value);
}

/** Sends one command over the host's WebSocket with this tab's token, as any page script could; resolves the reply. */
export async function invokeRaw(page: Page, name: string, input: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  return page.evaluate(
    ({ name, input }) =>
      new Promise<{ ok: boolean; error?: { code: string; message: string } }>((resolve, reject) => {
        // Runs in the page; the e2e tsconfig has no DOM types.
        const w = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null }; location: { host: string } };
        const token = w.sessionStorage.getItem('lamplight.token') ?? '';
        const ws = new WebSocket(`ws://${w.location.host}/ws?token=${encodeURIComponent(token)}`);
        ws.addEventListener('open', () => ws.send(JSON.stringify({ id: 1, name, input })));
        ws.addEventListener('message', (ev) => {
          const msg = JSON.parse(String(ev.data)) as { id?: number; ok?: boolean; error?: { code: string; message: string } };
          if (msg.id !== 1) return;
          ws.close();
          resolve({ ok: Boolean(msg.ok), error: msg.error });
        });
        ws.addEventListener('error', () => reject(new Error('socket error')));
      }),
    { name, input },
  );
}

// Page object for the Cost & latency view, in the words of its test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export class BenchPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-bench').click();
  }

  async newRun(): Promise<void> {
    await this.page.getByTestId('bench-new').click();
    await expect(this.page.getByTestId('bench-start')).toBeVisible();
  }

  /** Picks the first enabled option whose text contains `needle` in target picker `index`. */
  async chooseTarget(index: number, needle: string): Promise<void> {
    const select = this.page.getByTestId('bench-target-pick').nth(index);
    await expect(select.locator('option', { hasText: needle }).first()).toBeAttached({ timeout: 15_000 });
    const options = await select.locator('option').evaluateAll((els) => els.map((o) => ({ text: o.textContent ?? '', value: o.getAttribute('value') ?? '', disabled: o.hasAttribute('disabled') })));
    const option = options.find((o) => !o.disabled && o.text.includes(needle));
    if (!option) throw new Error(`No target option containing "${needle}"`);
    await select.selectOption(option.value);
  }

  async fill(fields: Partial<Record<'name' | 'input-len' | 'output-len' | 'loads' | 'warmup' | 'requests' | 'slo-ttft' | 'slo-tpot', string>>): Promise<void> {
    for (const [k, v] of Object.entries(fields)) await this.page.getByTestId(k === 'name' ? 'bench-name-input' : `bench-${k}`).fill(v);
  }

  async start(): Promise<void> {
    await this.page.getByTestId('bench-start').click();
  }

  async finished(timeout = 120_000): Promise<void> {
    await expect(this.page.getByTestId('bench-state')).toHaveText('done', { timeout });
  }

  rows(): Locator {
    return this.page.getByTestId('bench-row');
  }

  profile(target: string): Locator {
    return this.page.getByTestId('cost-profile').filter({ hasText: target });
  }

  async price(target: string, kind: 'api' | 'server' | 'edge', fields: Record<string, string>): Promise<void> {
    const row = this.profile(target);
    await row.getByTestId('cost-kind').selectOption(kind);
    for (const [k, v] of Object.entries(fields)) await row.getByTestId(`cost-${k}`).fill(v);
  }

  costRow(target: string): Locator {
    return this.page.getByTestId('bench-cost-row').filter({ hasText: target });
  }

  /** Pixels drawn on a chart canvas (alpha > 0): 0 means an empty chart. */
  async drawnPixels(testId: string): Promise<number> {
    return this.page.getByTestId(testId).evaluate((el) => {
      const c = el as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null };
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if ((d[i] as number) > 0) n++;
      return n;
    });
  }
}

// Team labeling in a real browser against the browser host (loopback HTTP; teamTls.e2e.ts walks the same
// flow over TLS): an admin starts an assignment with overlap, two labelers label their queues in their own
// browser contexts through their own links, kappa shows, the reviewer resolves the disagreement, and the
// export holds it.
import { expect, test } from '@playwright/test';
import { startHostProcess, type RunningHost } from './support/host';
import { collectConsoleErrors } from './support/pages';
import { teamFlow } from './support/teamFlow';

const SHOTS = process.env.TEAM_SHOTS ?? '/tmp/shots-team';
let host: RunningHost;

test.beforeAll(async () => {
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

test('an admin assigns with overlap, two labelers label, kappa shows, the reviewer resolves, the export holds it', async ({ page, browser }) => {
  const errors = collectConsoleErrors(page);
  await teamFlow(page, browser, host, SHOTS);
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

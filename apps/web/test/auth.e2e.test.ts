import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositories } from '@resnet-lab/db';
import {
  buildDashboard,
  createTestDatabase,
  createTestQueuePrefix,
  REPO_ROOT,
  startStack,
  TINY_SPEC,
  waitFor,
  type Stack,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';

/**
 * The dashboard against an API run with AUTH_MODE=tokens, in real headless Chromium: it asks for a
 * token, says why a wrong one was refused, and with a good one shows the lab's grids and can act.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = path.join(REPO_ROOT, '.run', 'screenshots');
const BUILD = path.join(REPO_ROOT, '.run', 'web-build-auth-e2e');

let database: TestDatabase;
let queue: TestQueuePrefix;
let stack: Stack;
let browser: Browser;
let page: Page;
let token: string;

describe.skipIf(!hasChromium)(
  hasChromium ? 'dashboard with API tokens' : `dashboard with API tokens: SKIPPED, ${CHROMIUM} is missing`,
  () => {
    beforeAll(async () => {
      buildDashboard(BUILD);
      await mkdir(SCREENSHOTS, { recursive: true });
      database = await createTestDatabase();
      queue = await createTestQueuePrefix();
      // No worker: nothing here trains; the grid only has to exist.
      stack = await startStack({
        databaseUrl: database.url,
        queuePrefix: queue.prefix,
        apiEnv: { WEB_ROOT: BUILD, AUTH_MODE: 'tokens' },
        workerEnv: { TRAINER_BACKEND: 'cpu' },
      });
      await stack.worker.stop();
      const tokens = repositories(database.db).tokens;
      token = (await tokens.create('browser', 'submit', 'lab-a')).token;
      const otherProject = (await tokens.create('neighbour', 'submit', 'lab-b')).token;
      for (const [name, bearer] of [
        ['behind a token', token],
        ["another project's grid", otherProject],
      ]) {
        const created = await fetch(`${stack.apiUrl}/v1/grids`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
          body: JSON.stringify({ name, base: TINY_SPEC }),
        });
        expect(created.status).toBe(201);
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      await queue?.cleanup();
      await database?.drop();
    });

    it('asks for a token, refuses a wrong one with the reason, and with a good one shows and acts', async () => {
      await page.goto(`${stack.apiUrl}/`);
      const prompt = page.getByRole('form', { name: 'API token' });
      await prompt.waitFor();
      await expect(prompt.textContent()).resolves.toMatch(/This API needs a token.*bearer token/);

      await prompt.getByLabel('Token').fill('rlt_wrong');
      await prompt.getByRole('button', { name: 'Use token' }).click();
      await prompt.getByText(/unknown or revoked/).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'token-prompt.png'), fullPage: true });

      await prompt.getByLabel('Token').fill(token);
      await prompt.getByRole('button', { name: 'Use token' }).click();
      await page.getByRole('link', { name: 'behind a token' }).first().waitFor();
      await expect(prompt.count()).resolves.toBe(0);
      // The token's project only: its grid says whose it is, the other project's is not listed.
      await page.getByText('project lab-a').first().waitFor();
      await expect(page.getByRole('link', { name: "another project's grid" }).count()).resolves.toBe(0);
      // The token stays in this browser: a reload needs no prompt.
      await page.reload();
      await page.getByRole('link', { name: 'behind a token' }).first().waitFor();
      await expect(page.getByRole('form', { name: 'API token' }).count()).resolves.toBe(0);

      // Live updates through the token's cookie: an EventSource cannot send the header, and
      // without the cookie the page would fall back to polling ("updating every 2 s").
      await page.getByRole('link', { name: 'behind a token' }).first().click();
      await page.locator('.live').getByText('live', { exact: true }).waitFor({ timeout: 30_000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'token-live.png'), fullPage: true });
      await page.goBack();
      await page.getByRole('link', { name: 'behind a token' }).first().waitFor();

      // A state change goes through with the token (submit scope): cancel the grid from its row.
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Cancel grid behind a token' }).first().click();
      await waitFor(
        async () => {
          const res = await fetch(`${stack.apiUrl}/v1/grids?limit=1`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const { items } = (await res.json()) as { items: { status: string }[] };
          return items[0]?.status === 'cancelled' ? true : undefined;
        },
        { timeoutMs: 30_000, what: 'the grid cancelled from the page' },
      );
    });
  },
);

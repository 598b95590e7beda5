import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * "Inside the network" in real headless Chromium: a tiny residual net is trained by the real
 * worker, its experiment page is opened from the built dashboard, a skip-connection layer is
 * picked and the channel maps must be drawn (non-blank canvases), at desktop and phone width.
 * The app is built into a directory of this test's own (served through WEB_ROOT), so a
 * concurrent build of apps/web/build by another test cannot pull files from under it.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = path.join(REPO_ROOT, '.run', 'screenshots');
const BUILD = path.join(REPO_ROOT, '.run', 'web-build-activations-e2e');

let database: TestDatabase;
let queue: TestQueuePrefix;
let stack: Stack;
let browser: Browser;
let page: Page;
let experimentId: string;

async function json(url: string, init?: RequestInit) {
  const res = await fetch(`${stack.apiUrl}${url}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Canvases of the grid whose pixels are not all one value: something was drawn. */
function drawnMaps(p: Page): Promise<number> {
  return p.$$eval(
    '.activation-grid canvas',
    (canvases) =>
      canvases.filter((element) => {
        const c = element as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0]) return true;
        return false;
      }).length,
  );
}

describe.skipIf(!hasChromium)(
  hasChromium
    ? 'activation maps in headless Chromium'
    : `activation maps in headless Chromium: SKIPPED, ${CHROMIUM} is missing`,
  () => {
    beforeAll(async () => {
      buildDashboard(BUILD);
      await mkdir(SCREENSHOTS, { recursive: true });
      database = await createTestDatabase();
      queue = await createTestQueuePrefix();
      stack = await startStack({ databaseUrl: database.url, queuePrefix: queue.prefix, apiEnv: { WEB_ROOT: BUILD } });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      page.setDefaultTimeout(60_000);

      const created = await json('/v1/experiments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TINY_SPEC),
      });
      expect(created.status).toBe(201);
      experimentId = created.body.id as string;
      await waitFor(
        async () => {
          const { body } = await json(`/v1/experiments/${experimentId}`);
          return ['succeeded', 'failed'].includes(body.status as string) ? body : undefined;
        },
        { timeoutMs: 180_000, what: 'the experiment to finish' },
      );
    });

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      await queue?.cleanup();
      await database?.drop();
    });

    it('picks a skip-connection layer and draws its channel maps with the true and predicted class', async () => {
      await page.goto(`${stack.apiUrl}/experiments/${experimentId}`);
      const section = page.getByRole('region', { name: 'Inside the network' });
      await section.waitFor();
      const layer = section.getByLabel('Layer');
      // Skip-connection sums are offered first, and the first is chosen.
      await expect(layer.inputValue()).resolves.toBe('stage1_block1_add');
      const groups = await layer.locator('optgroup').evaluateAll((els) => els.map((e) => e.getAttribute('label')));
      expect(groups[0]).toMatch(/Skip-connection/);

      await layer.selectOption('stage2_block1_add');
      const grid = section.locator('.activation-grid canvas');
      await waitFor(async () => ((await grid.count()) === 8 && (await drawnMaps(page)) > 0 ? true : undefined), {
        timeoutMs: 60_000,
        what: 'eight drawn maps of stage2_block1_add',
      });
      expect(await grid.first().getAttribute('width')).toBe('4');
      expect(await section.getByRole('img', { name: 'test image 0' }).count()).toBe(1);
      await expect(section.locator('figcaption').textContent()).resolves.toMatch(/true class \d+, predicted \d+/);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'activations-desktop.png'), fullPage: true });

      // Keyboard: the image number steps with the arrow keys, and the maps follow.
      await section.getByRole('spinbutton', { name: /Test image/ }).focus();
      await page.keyboard.press('ArrowUp');
      await section.locator('figcaption', { hasText: 'Test image 1' }).waitFor();
      await section.getByRole('button', { name: /^Next test image/ }).click();
      await section.locator('figcaption', { hasText: 'Test image 2' }).waitFor();
      await section.getByLabel('Checkpoint').selectOption('1');
      await section.getByRole('status').filter({ hasText: 'at epoch 1' }).waitFor();
      expect(await drawnMaps(page)).toBeGreaterThan(0);

      // Phone width: nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await section.scrollIntoViewIfNeeded();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'activations-phone.png'), fullPage: true });
    });
  },
);

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
 * The workers page in real headless Chromium against the real API and worker: the worker is listed
 * with its slot, the job on it (a link to the experiment), progress and images/s, and the queue's
 * waiting jobs by priority; after a SIGKILL of the worker the page shows it lost without a reload.
 * It fits a 390 px phone without sideways scrolling. The app is built into a directory of this
 * test's own (served through WEB_ROOT).
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = path.join(REPO_ROOT, '.run', 'screenshots');
const BUILD = path.join(REPO_ROOT, '.run', 'web-build-workers-e2e');
const AXE = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** Many short epochs: the job stays on its slot for minutes, and images/s is measured early. */
const LONG = {
  ...TINY_SPEC,
  dataset: { ...TINY_SPEC.dataset, trainSize: 256 },
  training: { epochs: 500, batchSize: 16 },
};

let database: TestDatabase;
let queue: TestQueuePrefix;
let stack: Stack;
let browser: Browser;
let page: Page;
let gridId: string;

async function json(url: string, init?: { method?: string; body?: unknown }) {
  const res = await fetch(`${stack.apiUrl}${url}`, {
    method: init?.method ?? 'GET',
    ...(init?.body === undefined
      ? {}
      : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function withLogs(error: Error): Error {
  return new Error(`${error.message}\n--- worker ---\n${stack.worker.output().slice(-3000)}`);
}

describe.skipIf(!hasChromium)(
  hasChromium
    ? 'workers page in headless Chromium'
    : `workers page in headless Chromium: SKIPPED, ${CHROMIUM} is missing`,
  () => {
    beforeAll(async () => {
      buildDashboard(BUILD);
      await mkdir(SCREENSHOTS, { recursive: true });
      database = await createTestDatabase();
      queue = await createTestQueuePrefix();
      stack = await startStack({
        databaseUrl: database.url,
        queuePrefix: queue.prefix,
        apiEnv: { WEB_ROOT: BUILD },
        workerEnv: { TRAINER_BACKEND: 'cpu', WORKER_HEARTBEAT_MS: '1000' },
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
      page.setDefaultTimeout(60_000);

      // One experiment runs on the worker's only slot, two wait at priority 700.
      const created = await json('/v1/grids', {
        method: 'POST',
        body: { name: 'workers e2e', base: LONG, priority: 700, axes: { 'training.seed': [1, 2, 3] } },
      });
      expect(created.status).toBe(201);
      gridId = created.body.grid.id as string;
    });

    afterAll(async () => {
      if (gridId) await json(`/v1/grids/${gridId}/cancel`, { method: 'POST' }).catch(() => undefined);
      await browser?.close();
      await stack?.stop();
      await queue?.cleanup();
      await database?.drop();
    });

    it('lists the worker with the job on its slot, then shows it lost after a SIGKILL', async () => {
      const pid = stack.worker.child.pid!;
      // Wait (through the API) until the slot reports a measured images/s, so the screenshot shows it.
      const experimentId = await waitFor(
        async () => {
          const { body } = await json('/v1/workers');
          const slot = body.workers.find((w: { pid: number }) => w.pid === pid)?.slots[0];
          return slot?.imagesPerSecond > 0 && slot.job?.gridId === gridId
            ? (slot.job.experimentId as string)
            : undefined;
        },
        { timeoutMs: 120_000, what: 'the job and its images/s on the slot' },
      ).catch((e) => {
        throw withLogs(e as Error);
      });

      await page.goto(`${stack.apiUrl}/`);
      await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Workers' }).click();
      await page.getByRole('heading', { level: 1, name: 'Workers' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/workers');

      const table = page.getByRole('table', { name: /Worker processes/ });
      const row = table.locator('tbody tr').filter({ hasText: `pid ${pid}` });
      await row.waitFor();
      await row.locator('.badge-active').waitFor();
      const slots = row.getByRole('list', { name: `slots of ${await row.locator('strong').textContent()} pid ${pid}` });
      await expect(slots.getByRole('listitem').count()).resolves.toBe(1);
      const slot = slots.getByRole('listitem').first();
      await expect(slot.textContent()).resolves.toMatch(/cpu0\s*cpu/);
      const link = slot.getByRole('link', { name: `experiment ${experimentId.slice(0, 8)}` });
      await expect(link.getAttribute('href')).resolves.toBe(`/experiments/${experimentId}`);
      await slot.getByText(/\d+ images\/s/).waitFor();
      await slot.getByText(/epoch \d+ of 500/).waitFor();
      await slot.getByRole('progressbar').waitFor();
      await row.getByText(/^\d+ s ago$/).waitFor();
      // Queue depth by priority: two jobs wait at 700.
      const queueTable = page.getByRole('table', { name: /Waiting jobs by priority/ });
      await queueTable.locator('tbody tr', { hasText: '700' }).filter({ hasText: '2' }).waitFor();
      // Polling: a later heartbeat's progress shows without a reload.
      const before = await slot.getByText(/epoch \d+ of 500/).textContent();
      await waitFor(
        async () => ((await slot.getByText(/epoch \d+ of 500/).textContent()) !== before ? true : undefined),
        { timeoutMs: 60_000, what: 'the epoch on the page to advance' },
      );
      await page.screenshot({ path: path.join(SCREENSHOTS, 'workers.png'), fullPage: true });

      // Accessible: no serious or critical axe-core findings.
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        type AxeResults = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
        const axe = (window as unknown as { axe: { run: (o: object) => Promise<AxeResults> } }).axe;
        const result = await axe.run({ resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations).toEqual([]);

      // Phone width: nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await row.locator('.badge-active').waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'workers-phone.png'), fullPage: true });

      // Killed outright: the page (still open, polling) shows the worker lost.
      await page.setViewportSize({ width: 1280, height: 800 });
      await stack.worker.kill();
      await row.locator('.badge-lost').waitFor({ timeout: 60_000 });
      // Its last known job stays listed.
      await expect(link.count()).resolves.toBe(1);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'workers-lost.png'), fullPage: true });
    });
  },
);

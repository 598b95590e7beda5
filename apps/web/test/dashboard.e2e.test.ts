import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDashboard,
  createTestDatabase,
  createTestQueuePrefix,
  REPO_ROOT,
  startStack,
  waitFor,
  type Stack,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';

/**
 * The dashboard end to end: the built app served by the real API process, a real worker
 * training, driven in real headless Chromium. A tiny grid is submitted from the UI, its curve
 * appears live, an experiment's checkpoint downloads, two runs are compared, a bad field is
 * marked in the JSON editor, and the page survives the API going away and coming back.
 * Screenshots go to .run/screenshots/ for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = path.join(REPO_ROOT, '.run', 'screenshots');
const BUILD = path.join(REPO_ROOT, '.run', 'web-build-dashboard-e2e');
const AXE = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

// Training waits are generous: a loaded 2-core machine may take a minute for an epoch.
const EPOCH_WAIT_MS = 120_000;
const GRID_WAIT_MS = 240_000;

const TINY_GRID = {
  name: 'e2e tiny: plain vs residual',
  base: {
    dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
    training: { epochs: 2, batchSize: 32 },
    architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  },
  axes: { 'architecture.family': ['cifar-plain', 'cifar-resnet'] },
};

const BAD_GRID = {
  base: {
    dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
    training: { epochs: 1, batchSize: 32, learningRate: -1 },
    architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  },
  axes: { 'training.seed': [0, 1] },
};

let database: TestDatabase;
let queue: TestQueuePrefix;
let stack: Stack;
let browser: Browser;
let page: Page;
let gridId: string;
/** Experiment 0 of the tiny grid, finished: the source of the warm-start case. */
let sourceExperimentId: string;
/** Event-stream URLs the page opened. */
const streams: string[] = [];

async function shot(name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

function withLogs(error: unknown): Error {
  return new Error(
    `${(error as Error).message}\n--- worker ---\n${stack.worker.output().slice(-3000)}` +
      `\n--- api ---\n${stack.api.output().slice(-2000)}`,
  );
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'dashboard in headless Chromium' : `dashboard in headless Chromium: SKIPPED, ${CHROMIUM} is missing`,
  () => {
    beforeAll(async () => {
      // The test serves what it builds (through WEB_ROOT), in a directory of its own.
      buildDashboard(BUILD);
      // Only this run's screenshots: an old one must not pass for a new one.
      await rm(SCREENSHOTS, { recursive: true, force: true });
      await mkdir(SCREENSHOTS, { recursive: true });
      database = await createTestDatabase();
      queue = await createTestQueuePrefix();
      stack = await startStack({ databaseUrl: database.url, queuePrefix: queue.prefix, apiEnv: { WEB_ROOT: BUILD } });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      page = await context.newPage();
      page.on('request', (r) => r.url().includes('/events') && streams.push(r.url()));
      page.setDefaultTimeout(30_000);
    });

    afterAll(async () => {
      await browser?.close();
      await stack?.stop();
      await queue?.cleanup();
      await database?.drop();
    });

    it('serves the dashboard at / and keeps the API routes working', async () => {
      const res = await page.goto(stack.apiUrl);
      expect(res?.status()).toBe(200);
      await expect(page.getByRole('heading', { name: 'Grids', level: 1 }).isVisible()).resolves.toBe(true);
      for (const url of ['/healthz', '/readyz', '/openapi.json', '/v1/grids']) {
        expect((await fetch(`${stack.apiUrl}${url}`)).status, url).toBe(200);
      }
      // The dashboard's own routes stay out of the API document.
      const doc = (await (await fetch(`${stack.apiUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/v1/') && !/^\/(healthz|readyz)$/.test(p))).toEqual(
        [],
      );
      const unknown = await fetch(`${stack.apiUrl}/v1/nothing-here`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    });

    it('marks an invalid field of the editor at its line, from the API 400, in JSON and in YAML', async () => {
      await page.getByLabel('a grid definition (JSON or YAML)').check();
      const editor = page.getByLabel('Grid definition (POST /v1/grids body, JSON or YAML)');
      await editor.fill(JSON.stringify(BAD_GRID, null, 2));
      await page.getByRole('button', { name: 'Estimate cost' }).click();
      const problem = page.locator('.field-errors li[data-field="training.learningRate"]');
      await problem.waitFor();
      expect(await problem.textContent()).toMatch(/line \d+/);
      await expect(editor.getAttribute('aria-invalid')).resolves.toBe('true');
      // Exactly the line holding learningRate is painted.
      const marked = page.locator('.backdrop-line.backdrop-error');
      expect(await marked.count()).toBe(1);
      expect(await marked.textContent()).toContain('"learningRate": -1');
      await shot('01-json-field-error');

      // A syntax error is marked at its line too, before anything is sent.
      await editor.fill('{\n  "base": {},\n  "axes": { "training.seed": [0, 1], }\n}');
      await page.getByRole('button', { name: 'Estimate cost' }).click();
      await page.locator('.field-errors li[data-field="(JSON)"]').waitFor();
      expect(await page.locator('.backdrop-line.backdrop-error').textContent()).toContain('"training.seed"');

      // The same grid in YAML: the API's 400 is marked at the YAML line.
      const yaml = [
        'base:',
        '  dataset: { name: synthetic, trainSize: 96, testSize: 32, imageSize: 8, classes: 4 }',
        '  training:',
        '    epochs: 1',
        '    batchSize: 32',
        '    learningRate: -1',
        '  architecture: { family: cifar-resnet, depth: 8, widthMultiplier: 0.25 }',
        'axes:',
        '  training.seed: [0, 1]',
      ].join('\n');
      await editor.fill(yaml);
      await page.getByRole('button', { name: 'Estimate cost' }).click();
      await page.locator('.field-errors li[data-field="training.learningRate"]').waitFor();
      expect(await marked.count()).toBe(1);
      expect(await marked.textContent()).toContain('learningRate: -1');
      await shot('01b-yaml-field-error');
    });

    it('marks an invalid preset scale under its input', async () => {
      await page.getByLabel('a preset').check();
      const scale = page.getByLabel("Scale (1 = the paper's size)");
      await scale.fill('2');
      await page.getByRole('button', { name: 'Estimate cost' }).click();
      const error = page.locator('.field-error[data-field="scale"]');
      await error.waitFor();
      expect(await error.textContent()).toMatch(/1/);
      await expect(scale.getAttribute('aria-invalid')).resolves.toBe('true');
      await shot('02-preset-field-error');
      await page.getByLabel('a grid definition (JSON or YAML)').check();
    });

    it('submits a tiny grid from the UI after showing its dry-run cost', async () => {
      await page
        .getByLabel('Grid definition (POST /v1/grids body, JSON or YAML)')
        .fill(JSON.stringify(TINY_GRID, null, 2));
      await page.getByRole('button', { name: 'Estimate cost' }).click();
      const cost = page.getByRole('status', { name: 'estimated cost' });
      await cost.waitFor();
      expect(await cost.textContent()).toMatch(/2 experiments to run/);
      await shot('02-dry-run-cost');
      await page.getByRole('button', { name: 'Start 2 experiments' }).click();
      await page.waitForURL(/\/grids\/[0-9a-f-]{36}$/);
      gridId = page.url().split('/').pop()!;
      await page.getByRole('heading', { name: TINY_GRID.name, level: 1 }).waitFor();
    });

    it('shows the curve appear live, without a reload', async () => {
      await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
      // When the API first has an epoch, seen from outside the browser: the page should follow within seconds.
      let apiHadEpochAt = 0;
      let watching = true;
      const watchApi = (async () => {
        while (watching && !apiHadEpochAt) {
          const res = await fetch(`${stack.apiUrl}/v1/grids/${gridId}/curves?metric=train.error`).catch(() => null);
          const body = (await res?.json().catch(() => null)) as { series?: { points: unknown[] }[] } | null;
          if (body?.series?.some((s) => s.points.length > 0)) apiHadEpochAt = Date.now();
          else await new Promise((r) => setTimeout(r, 200));
        }
      })();
      try {
        await page.waitForFunction(
          () => [...document.querySelectorAll<HTMLElement>('.chart-plot')].some((el) => Number(el.dataset.points) >= 1),
          null,
          { timeout: EPOCH_WAIT_MS, polling: 100 },
        );
      } catch (error) {
        throw withLogs(error);
      } finally {
        watching = false;
      }
      const shownAt = Date.now();
      await watchApi;
      // Loose bound (a loaded 2-core machine); without live updates the curve would never appear.
      console.log(
        `first epoch: in the API, then on the page ${apiHadEpochAt ? shownAt - apiHadEpochAt : '?'} ms later`,
      );
      expect(shownAt - (apiHadEpochAt || shownAt)).toBeLessThan(15_000);
      expect(streams.some((u) => u.includes(`/v1/grids/${gridId}/events`))).toBe(true);
      expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
      await shot('03-grid-live');
      // Then the whole grid finishes, still without a reload, and the table shows its results.
      try {
        await page.locator('.grid-header .badge-done').waitFor({ timeout: GRID_WAIT_MS });
      } catch (error) {
        throw withLogs(error);
      }
      expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
      // The table's rows are refetched after the grid's status: they may follow a moment later.
      await page.waitForFunction(
        () => document.querySelectorAll('.experiments-table tbody tr[data-status="succeeded"]').length === 2,
        null,
        { timeout: EPOCH_WAIT_MS, polling: 200 },
      );
      // Plain beside residual.
      expect(await page.getByRole('region', { name: 'Training curves' }).getByRole('figure').count()).toBe(2);
      await page.waitForFunction(
        () => [...document.querySelectorAll<HTMLElement>('.chart-plot')].every((el) => Number(el.dataset.points) >= 2),
        null,
        { timeout: 30_000 },
      );
      await shot('04-grid-done');
    });

    it('plots the final error against an axis, exports CSV and PNG, and groups the table over seeds', async () => {
      const section = page.getByRole('region', { name: 'Against the axes' });
      const chart = section.getByRole('img', { name: /against family/ });
      await chart.waitFor();
      expect(await chart.getAttribute('data-points')).toBe('2');
      await shot('04b-against-axes');

      // The CSV holds what the chart shows: the summary's mean over seeds of each family.
      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        section.getByRole('button', { name: /^CSV of .* against family$/ }).click(),
      ]);
      expect(csv.suggestedFilename()).toMatch(/\.csv$/);
      const [header, ...rows] = (await readFile(await csv.path(), 'utf8')).trim().split(/\r?\n/);
      const columns = header!.split(',');
      expect(columns.slice(0, 2)).toEqual(['series', 'family']);
      const metricKey = columns[2]!.match(/^final (\w+) error mean$/)?.[1];
      expect(metricKey, columns[2]).toBeDefined();
      const summary = (await (await fetch(`${stack.apiUrl}/v1/grids/${gridId}/summary`)).json()) as {
        groups: { values: Record<string, unknown>; final: Record<string, { mean: number }> }[];
      };
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        const [, family, mean] = row.split(',');
        const group = summary.groups.find((g) => g.values['architecture.family'] === family)!;
        expect(Number(mean)).toBeCloseTo(group.final[`${metricKey}.error`]!.mean, 6);
      }

      // The PNG is a real image of the figure.
      const [png] = await Promise.all([
        page.waitForEvent('download'),
        section.getByRole('button', { name: /^PNG of .* against family$/ }).click(),
      ]);
      const image = await readFile(await png.path());
      expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(image.length).toBeGreaterThan(2_000);

      // Grouped over seeds: one row per configuration with its n, and the choice kept in the URL.
      await page.getByLabel('group over seeds').check();
      expect(new URL(page.url()).searchParams.get('group')).toBe('seeds');
      const groupRows = page.locator('.groups-table tbody tr');
      await groupRows.nth(1).waitFor();
      expect(await groupRows.count()).toBe(2);
      await page.getByLabel('group over seeds').uncheck();
      await page.locator('.experiments-table tbody tr').nth(1).waitFor();
    });

    it('keeps the metric and filters in the URL', async () => {
      // Sorting works from the keyboard: the column headers are buttons.
      await page.getByRole('button', { name: 'attempts' }).focus();
      await page.keyboard.press('Enter');
      expect(new URL(page.url()).searchParams.get('sort')).toBe('attempts');
      expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('attempts');
      await page.getByLabel('Metric').selectOption('loss');
      await page.getByRole('button', { name: 'family', exact: true }).click();
      await page.getByRole('group', { name: 'filter experiments' }).getByLabel('family').selectOption('cifar-resnet');
      const url = new URL(page.url());
      expect(url.searchParams.get('metric')).toBe('loss');
      expect(url.searchParams.get('f.architecture.family')).toBe('cifar-resnet');
      expect(url.searchParams.get('sort')).toBe('axis:architecture.family');
      expect(await page.locator('.experiments-table tbody tr').count()).toBe(1);
      await page.reload();
      await page.locator('.experiments-table tbody tr').first().waitFor();
      expect(await page.locator('.experiments-table tbody tr').count()).toBe(1);
      expect(await page.getByLabel('Metric').inputValue()).toBe('loss');
      await page.goto(`${stack.apiUrl}/grids/${gridId}`);
      await page.locator('.experiments-table tbody tr').nth(1).waitFor();
    });

    it('opens an experiment whose checkpoint link downloads the checkpoint', async () => {
      await page.getByRole('link', { name: 'experiment 0' }).click();
      await page.waitForURL(/\/experiments\/[0-9a-f-]{36}$/);
      const experimentId = page.url().split('/').pop()!;
      const link = page.getByRole('link', { name: /^checkpoint-epoch-2\.bin$/ });
      await link.waitFor();
      await page.getByText(/^Backend$/).waitFor();
      // The backend with why it was chosen, and the network's size, as the API has them.
      const apiExperiment = (await (await fetch(`${stack.apiUrl}/v1/experiments/${experimentId}`)).json()) as {
        backendReason: string | null;
      };
      expect(apiExperiment.backendReason).toBeTruthy();
      expect(await page.locator('.backend-reason').textContent()).toContain(apiExperiment.backendReason);
      // The cost estimator's prediction from the submit, beside the time taken once finished.
      expect(await page.getByTestId('time-vs-predicted').textContent()).toMatch(/predicted \d/);
      const described = (await (await fetch(`${stack.apiUrl}/v1/experiments/${experimentId}/model`)).json()) as {
        params: number;
        layers: unknown[];
      };
      const model = page.getByRole('region', { name: 'Model' });
      await model.getByText(/multiply-adds per image/).waitFor();
      expect(await model.locator('dd').first().getAttribute('title')).toBe(described.params.toLocaleString('en'));
      await model.getByText('Layer table').click();
      expect(await model.locator('.layers-table tbody tr').count()).toBe(described.layers.length);
      await shot('05-experiment');
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('checkpoint-epoch-2.bin');
      const bytes = await readFile(await download.path());
      const listed = (await (await fetch(`${stack.apiUrl}/v1/experiments/${experimentId}/checkpoints`)).json()) as {
        checkpoints: { epoch: number; sha256: string; size: number }[];
      };
      const info = listed.checkpoints.find((c) => c.epoch === 2)!;
      expect(bytes.length).toBe(info.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
      sourceExperimentId = experimentId;
    });

    it("shows a warm-started experiment's source and what it loaded, skipped and froze", async () => {
      const created = await fetch(`${stack.apiUrl}/v1/experiments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...TINY_GRID.base,
          architecture: { ...TINY_GRID.base.architecture, family: 'cifar-plain' },
          dataset: { ...TINY_GRID.base.dataset, classes: 3 },
          init: { from: { experiment: sourceExperimentId }, freeze: 'all-but-head' },
        }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      await waitFor(
        async () => {
          const e = (await (await fetch(`${stack.apiUrl}/v1/experiments/${id}`)).json()) as { status: string };
          return e.status === 'succeeded' || undefined;
        },
        { timeoutMs: GRID_WAIT_MS, intervalMs: 500, what: 'the warm-started experiment to succeed' },
      );
      await page.goto(`${stack.apiUrl}/experiments/${id}`);
      const summary = page.getByTestId('warm-start-summary');
      await summary.waitFor();
      const source = sourceExperimentId.slice(0, 8);
      expect(await summary.textContent()).toMatch(
        new RegExp(
          `^Started from experiment ${source} at epoch 2: \\d+ weights loaded, 2 skipped, \\d+ layers frozen\\.$`,
        ),
      );
      const warm = page.getByRole('region', { name: 'Warm start' });
      expect(await warm.locator('tbody tr').allTextContents()).toEqual([
        'logits/kernelshape [16, 4] in the source, [16, 3] here',
        'logits/biasshape [4] in the source, [3] here',
      ]);
      await warm.getByRole('link', { name: `experiment ${sourceExperimentId.slice(0, 8)}` }).click();
      await page.waitForURL(new RegExp(`/experiments/${sourceExperimentId}$`));
    });

    it('compares two runs, showing only the fields that differ', async () => {
      await page.goto(`${stack.apiUrl}/grids/${gridId}`);
      await page.getByLabel('select experiment 0 to compare').check();
      await page.getByLabel('select experiment 1 to compare').check();
      await page.getByRole('link', { name: 'Compare selected (2)' }).click();
      await page.waitForURL(/\/compare\?ids=/);
      const differences = page.locator('.differences-table');
      await differences.waitFor();
      const fields = await differences.locator('tbody th').allTextContents();
      expect(fields).toContain('architecture.family');
      expect(fields).not.toContain('training.epochs');
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.chart-plot')?.dataset.points) >= 2);
      // 2 runs x (train, validation): the test split is left out when validation exists.
      await page.locator('.legend li').nth(3).waitFor();
      expect(await page.locator('.legend li').count()).toBe(4);
      await shot('06-compare');
    });

    it('draws a running experiment live, then pauses, resumes, re-prioritises and cancels its grid', async () => {
      const long = {
        ...TINY_GRID,
        name: 'e2e long',
        base: { ...TINY_GRID.base, training: { epochs: 500, batchSize: 32 } },
      };
      const created = await fetch(`${stack.apiUrl}/v1/grids`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(long),
      });
      const { grid } = (await created.json()) as { grid: { id: string } };
      const apiGrid = async () =>
        (await (await fetch(`${stack.apiUrl}/v1/grids/${grid.id}`)).json()) as { status: string; priority: number };
      // While one of its experiments trains, that experiment's page draws each new epoch as it comes.
      const running = await waitFor(
        async () => {
          const res = await fetch(`${stack.apiUrl}/v1/grids/${grid.id}/experiments?status=running`);
          const { items } = (await res.json()) as { items: { experiment: { id: string } }[] };
          return items[0]?.experiment.id;
        },
        { timeoutMs: EPOCH_WAIT_MS, intervalMs: 500, what: 'a running experiment of the long grid' },
      );
      await page.goto(`${stack.apiUrl}/experiments/${running}`);
      const epochsShown = () =>
        page.evaluate(() => Number(document.querySelector<HTMLElement>('.chart-plot')?.dataset.points ?? 0));
      await page.waitForFunction(
        () => Number(document.querySelector<HTMLElement>('.chart-plot')?.dataset.points) >= 1,
        null,
        { timeout: EPOCH_WAIT_MS },
      );
      const before = await epochsShown();
      await page.waitForFunction(
        (n) => Number(document.querySelector<HTMLElement>('.chart-plot')?.dataset.points) > n,
        before,
        { timeout: EPOCH_WAIT_MS },
      );
      await shot('07-experiment-live');

      await page.goto(stack.apiUrl);
      await page.getByLabel('Priority of grid e2e long', { exact: true }).fill('900');
      await page.getByRole('button', { name: 'Set the priority of grid e2e long' }).click();
      await expect.poll(async () => (await apiGrid()).priority, { timeout: 30_000 }).toBe(900);
      expect(await page.getByRole('button', { name: 'Retry failed experiments of grid e2e long' }).isDisabled()).toBe(
        true,
      );
      await page.getByRole('button', { name: 'Pause grid e2e long' }).click();
      await page.getByRole('button', { name: 'Resume grid e2e long' }).waitFor();
      expect((await apiGrid()).status).toBe('paused');
      await page.getByRole('button', { name: 'Resume grid e2e long' }).click();
      await page.getByRole('button', { name: 'Pause grid e2e long' }).waitFor();
      expect((await apiGrid()).status).toBe('active');
      await page.getByRole('button', { name: 'Cancel grid e2e long' }).click();
      await expect.poll(async () => (await apiGrid()).status, { timeout: 30_000 }).toBe('cancelled');
      await page.locator('.grids-table .badge-cancelled').waitFor();
      await shot('08-grids-list');
    });

    it('shows a member stopped early apart, with the decision and its numbers', async () => {
      // On the cpu backend training is deterministic: after one epoch, learning rate 0.2 is at 27%
      // validation error and 10 (which cannot learn) at chance, 75%; ASHA's first rung stops the latter.
      const body = {
        name: 'e2e early stopping',
        base: {
          ...TINY_GRID.base,
          dataset: { ...TINY_GRID.base.dataset, trainSize: 192 },
          training: { epochs: 4, batchSize: 32 },
        },
        axes: { 'training.learningRate': [0.2, 10] },
        earlyStopping: { type: 'asha', gracePeriod: 1, reductionFactor: 2 },
      };
      const created = await fetch(`${stack.apiUrl}/v1/grids`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(created.status).toBe(201);
      const { grid } = (await created.json()) as { grid: { id: string } };
      const stopped = await waitFor(
        async () => {
          const res = await fetch(`${stack.apiUrl}/v1/grids/${grid.id}/experiments?status=stopped`);
          const { items } = (await res.json()) as { items: { experiment: { id: string } }[] };
          return items[0]?.experiment.id;
        },
        { timeoutMs: GRID_WAIT_MS, intervalMs: 500, what: 'a member stopped early' },
      ).catch((error) => {
        throw withLogs(error);
      });
      await page.goto(`${stack.apiUrl}/experiments/${stopped}`);
      await page.locator('.badge-stopped').waitFor();
      expect(await page.getByTestId('stopped-early').textContent()).toMatch(
        /Stopped after epoch 1 by the grid's ASHA rule: validation\.error 0\.7\d+ was behind the cutoff 0\.\d+ set by 1 other member\./,
      );
      await shot('09-stopped-early');
      await page.goto(`${stack.apiUrl}/grids/${grid.id}?group=seeds`);
      await page.getByText('(1 stopped early, not in the means)').waitFor({ timeout: GRID_WAIT_MS });
      await page.locator('.counts .count-stopped').waitFor();
      expect(await page.locator('.counts .count-stopped').textContent()).toBe('1 stopped');
    });

    it('has no serious or critical accessibility problems (axe-core) on any page', async () => {
      const experiments = (await (await fetch(`${stack.apiUrl}/v1/grids/${gridId}/experiments`)).json()) as {
        items: { experiment: { id: string } }[];
      };
      const [a, b] = experiments.items.map((i) => i.experiment.id);
      const pages: [string, string][] = [
        ['grids', '/'],
        ['grid', `/grids/${gridId}`],
        ['experiment', `/experiments/${a}`],
        ['compare', `/compare?ids=${a},${b}`],
      ];
      const found: string[] = [];
      for (const [name, url] of pages) {
        await page.goto(`${stack.apiUrl}${url}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.addScriptTag({ path: AXE });
        const violations = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run: (o: object) => Promise<AxeResults> } }).axe;
          type AxeResults = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
          const result = await axe.run({ resultTypes: ['violations'] });
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        });
        found.push(...violations.map((v) => `${name}: ${v}`));
      }
      expect(found).toEqual([]);
    });

    it('says clearly when the API is down and recovers when it is back', async () => {
      // A finished grid's page makes no requests of its own: the heartbeat has to notice.
      await page.goto(`${stack.apiUrl}/grids/${gridId}`);
      await page.locator('.experiments-table tbody tr').nth(1).waitFor();
      await stack.api.stop();
      const banner = page.getByText('The API is not reachable');
      await banner.waitFor({ timeout: 60_000 });
      // What was loaded stays on screen under the banner.
      expect(await page.locator('.experiments-table tbody tr').count()).toBe(2);
      await shot('09-api-down');
      await stack.restartApi();
      await banner.waitFor({ state: 'detached', timeout: 60_000 });
      // Recovered without a reload: the app works again (a new navigation fetches fresh data).
      await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Grids' }).click();
      await page.locator('.grids-table').waitFor();
    });

    it('fits a phone screen', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${stack.apiUrl}/grids/${gridId}`);
      await page.locator('.experiments-table').waitFor();
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('.chart-plot')?.dataset.points) >= 2);
      // Nothing but the tables (which scroll inside their own box) is wider than the screen.
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('10-phone-grid');
      await page.goto(stack.apiUrl);
      await page.locator('.grids-table').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('11-phone-grids');
    });
  },
);

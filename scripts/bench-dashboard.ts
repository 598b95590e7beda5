// The dashboard at scale: a grid of 1,000 experiments x 100 epochs, submitted through the real API
// on a scratch database and given synthetic finished results (no training: curves are made by
// SQL, shaped like learning curves), opened in headless Chromium. Measured over several page
// loads: time until the grid page shows its table and every curve; time to switch the metric; the
// JS bundle's gzipped size. Writes its section of BENCHMARKS.md between the dashboard-bench
// markers. `--keep` leaves the API running on the seeded grid for a person to look at.
// Run: npx tsx scripts/bench-dashboard.ts [--rounds N] [--keep]   (also part of npm run bench)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { chromium, type Page } from 'playwright-core';
import { buildDashboard, createTestDatabase, createTestQueuePrefix, REPO_ROOT, startStack } from '@resnet-lab/testing';
import { writeMarkedSection } from './benchmarks-file';

const START = '<!-- dashboard-bench:start -->';
const END = '<!-- dashboard-bench:end -->';
const CHROMIUM = '/usr/bin/chromium';
const BUILD = join(REPO_ROOT, '.run', 'web-build-bench');

/** 2 families x 5 depths x 5 learning rates x 20 seeds = 1,000 experiments. */
const GRID = {
  name: 'dashboard benchmark: 1,000 experiments x 100 epochs (synthetic results)',
  base: {
    dataset: { name: 'synthetic', trainSize: 256, testSize: 64, imageSize: 16, classes: 4 },
    training: { epochs: 100, batchSize: 64 },
    architecture: { widthMultiplier: 0.5 },
  },
  axes: {
    'architecture.family': ['cifar-plain', 'cifar-resnet'],
    'architecture.depth': [20, 32, 44, 56, 110],
    'training.learningRate': [0.2, 0.1, 0.05, 0.02, 0.01],
    'training.seed': Array.from({ length: 20 }, (_, i) => i),
  },
};

/**
 * Finished results for every experiment of the grid, written in one statement per table. Training
 * error decays from 0.9 towards a floor that grows with depth for plain nets and shrinks for
 * residual ones (the paper's picture), with a per-seed offset and per-epoch wiggle.
 */
async function seedResults(databaseUrl: string, gridId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `UPDATE "Experiment" SET status = 'succeeded', attempts = 1, backend = 'onednn',
         "startedAt" = now() - interval '1 hour', "finishedAt" = now() WHERE "gridId" = $1`,
      [gridId],
    );
    const { rowCount } = await client.query(
      `WITH e AS (
         SELECT id, (spec->'architecture'->>'depth')::int AS depth,
                spec->'architecture'->>'family' = 'cifar-resnet' AS residual,
                (spec->'training'->>'learningRate')::float AS lr,
                (abs(hashtext(id::text)) % 1000) / 1000.0 AS jitter
         FROM "Experiment" WHERE "gridId" = $1),
       curve AS (
         SELECT e.id, t, e.lr, e.jitter,
                (CASE WHEN e.residual THEN 0.08 - e.depth / 4000.0 ELSE 0.04 + e.depth / 900.0 END)
                  + abs(ln(e.lr / 0.1)) * 0.03 + e.jitter * 0.02 AS floor,
                0.01 * sin(t * 1.7 + e.jitter * 10) AS wiggle
         FROM e, generate_series(1, 100) AS t)
       INSERT INTO "Metric" ("experimentId", epoch, split, name, value)
       SELECT id, t, m.split, m.name,
              CASE m.name
                WHEN 'error' THEN greatest(0, floor + (0.9 - floor) * exp(-t / 12.0) + wiggle
                                  + CASE WHEN m.split = 'validation' THEN 0.03 ELSE 0 END)
                WHEN 'loss' THEN 2.3 * (floor + (0.9 - floor) * exp(-t / 12.0)) + wiggle
                                  + CASE WHEN m.split = 'validation' THEN 0.08 ELSE 0 END
                WHEN 'learning_rate' THEN lr * CASE WHEN t <= 50 THEN 1 WHEN t <= 75 THEN 0.1 ELSE 0.01 END
                ELSE 600 + 40 * sin(t + jitter * 7)
              END
       FROM curve, (VALUES ('train', 'error'), ('train', 'loss'), ('validation', 'error'),
                           ('validation', 'loss'), ('train', 'learning_rate'),
                           ('train', 'images_per_second')) AS m(split, name)`,
      [gridId],
    );
    // The tables as autovacuum leaves them after rows were inserted over weeks of training: fresh
    // statistics (without them the planner takes the 600,000 new rows for a handful) and a
    // visibility map (without it no index-only scan pays, and every curve query scans the table).
    await client.query('VACUUM ANALYZE');
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * Milliseconds from navigation start until the table has its rows and every curve chart its
 * training and validation lines.
 */
async function loadTime(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const plots = Array.from(document.querySelectorAll('.chart-plot'));
      const rows = document.querySelectorAll('.experiments-table tbody tr').length;
      return (
        rows > 0 &&
        plots.length >= 2 &&
        plots.every((p) => p.getAttribute('data-splits') === 'train validation' && p.querySelector('canvas') !== null)
      );
    },
    undefined,
    { timeout: 120_000, polling: 'raf' },
  );
  return page.evaluate(() => performance.now());
}

/**
 * Milliseconds from changing the metric picker until every curve chart shows the new metric.
 * The in-page code is a string: tsx would otherwise wrap its inner functions in a helper the page
 * does not have.
 */
async function switchTime(page: Page, metric: string): Promise<number> {
  return page.evaluate(`(async (to) => {
    const select = [...document.querySelectorAll('select')]
      .find((s) => [...s.options].some((o) => o.value === 'error'));
    const start = performance.now();
    select.value = to;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    for (;;) {
      const plots = [...document.querySelectorAll('.chart-plot')];
      const shows = (p) => p.getAttribute('aria-label').includes(' of ' + to + ' over')
        && Number(p.getAttribute('data-points')) > 0;
      if (plots.length && plots.every(shows)) break;
      await new Promise(requestAnimationFrame);
    }
    return performance.now() - start;
  })(${JSON.stringify(metric)})`);
}

/** Gzipped sizes: the entry chunk (`index-*.js`) loads with the page, other chunks only when used. */
function bundleSize(): { js: number; lazyJs: number; css: number } {
  const assets = join(BUILD, 'assets');
  let js = 0;
  let lazyJs = 0;
  let css = 0;
  for (const f of readdirSync(assets)) {
    const gz = gzipSync(readFileSync(join(assets, f))).length;
    if (f.endsWith('.js') && f.startsWith('index-')) js += gz;
    else if (f.endsWith('.js')) lazyJs += gz;
    if (f.endsWith('.css')) css += gz;
  }
  return { js, lazyJs, css };
}

/**
 * Where a load's time went: the page's own files, then each API request (path, start, end in ms
 * from navigation start), from the browser's resource timing.
 */
async function loadBreakdown(page: Page): Promise<{ path: string; start: number; end: number }[]> {
  return page.evaluate(`performance.getEntriesByType('resource').map((e) => ({
    path: new URL(e.name).pathname.replace(/[0-9a-f-]{36}/g, ':id'),
    start: Math.round(e.startTime),
    end: Math.round(e.responseEnd),
  }))`);
}

const mostCommon = (xs: string[]) =>
  [...new Set(xs)].sort((a, b) => xs.filter((x) => x === b).length - xs.filter((x) => x === a).length)[0] ?? '–';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, keep: { type: 'boolean' } } });
  const rounds = Number(values.rounds);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: bash scripts/install-system-deps.sh`);
  // A production build of today's source, served by this run's API only.
  buildDashboard(BUILD);

  const database = await createTestDatabase('rl_bench_dash');
  const queue = await createTestQueuePrefix();
  const stack = await startStack({
    databaseUrl: database.url,
    queuePrefix: queue.prefix,
    startWorker: false,
    apiEnv: { WEB_ROOT: BUILD },
  });
  try {
    const res = await fetch(`${stack.apiUrl}/v1/grids`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(GRID),
    });
    if (res.status !== 201) throw new Error(`grid submit: ${res.status} ${await res.text()}`);
    const { grid } = (await res.json()) as { grid: { id: string; counts: { total: number } } };
    const seeded = performance.now();
    const metricRows = await seedResults(database.url, grid.id);
    console.log(
      `seeded ${grid.counts.total} experiments, ${metricRows} metric rows`,
      `in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
    );
    const url = `${stack.apiUrl}/grids/${grid.id}`;
    if (values.keep) {
      console.log(`open ${url}  (Ctrl-C stops)`);
      await new Promise(() => {});
    }

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const loads: number[] = [];
    const coldLoads: number[] = [];
    const switches: number[] = [];
    const apiEnds: number[] = [];
    const slowestApi: { path: string; ms: number }[] = [];
    /** One page load in a fresh browser context (no HTTP cache, no warm query cache). */
    const openPage = async (label: string, into: number[]) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      into.push(await loadTime(page, url));
      const requests = await loadBreakdown(page);
      if (into === coldLoads) {
        const api = requests.filter((r) => r.path.startsWith('/v1/'));
        apiEnds.push(Math.max(...api.map((r) => r.end)));
        const slowest = api.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
        slowestApi.push({ path: slowest.path, ms: slowest.end - slowest.start });
      }
      console.log(`${label}: load ${into.at(-1)!.toFixed(0)} ms`);
      console.log(requests.map((r) => `  ${r.path} ${r.start}-${r.end} ms`).join('\n'));
      return { context, page };
    };
    try {
      for (let round = 0; round < rounds; round++) {
        // Cold, then warm, in every round: a freshly started API builds every answer from the
        // database (as after a deploy or for a grid nobody opened yet); the next load finds the
        // finished grid's answers cached.
        await stack.restartApi();
        await (await openPage(`round ${round + 1} cold`, coldLoads)).context.close();
        const { context, page } = await openPage(`round ${round + 1} warm`, loads);
        switches.push(await switchTime(page, 'loss'));
        switches.push(await switchTime(page, 'error'));
        console.log(
          `  switch ${switches
            .slice(-2)
            .map((s) => s.toFixed(0))
            .join(' / ')} ms`,
        );
        await context.close();
      }
    } finally {
      await browser.close();
    }
    const bundle = bundleSize();
    const result = {
      experiments: grid.counts.total,
      metricRows,
      rounds,
      loads,
      coldLoads,
      switches,
      bundle,
      apiEnds,
      slowestApi,
    };
    writeSection(result);
    console.log(JSON.stringify(result));
  } finally {
    await stack.stop();
    await queue.cleanup();
    await database.drop();
  }
}

function writeSection(r: {
  experiments: number;
  metricRows: number;
  rounds: number;
  loads: number[];
  coldLoads: number[];
  switches: number[];
  bundle: { js: number; lazyJs: number; css: number };
  apiEnds: number[];
  slowestApi: { path: string; ms: number }[];
}) {
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const row = (what: string, goal: string, xs: number[]) =>
    `| ${what} | ${goal} | ${median(xs).toFixed(0)} ms | ${range(xs)} ms | ${xs.length} |`;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}),`,
    'headless Chromium, by',
    '`npx tsx scripts/bench-dashboard.ts` (part of `npm run bench`): a grid of',
    `${r.experiments} experiments x 100 epochs (${r.metricRows.toLocaleString('en')} metric rows) seeded into a`,
    'scratch database through the real API. Each round restarts the API and opens the grid page twice,',
    'each time in a fresh browser context: cold, then warm. A load is timed from navigation start until',
    'the table has its rows and every curve chart is drawn; the API timings are those of the cold loads.',
    '',
    '| what | goal | median | range | rounds |',
    '| --- | --- | --- | --- | --- |',
    row('grid page, cold: the API just started, every answer built from the database', '< 1,500 ms', r.coldLoads),
    row("grid page, warm: the finished grid's answers already cached by the API", '< 1,500 ms', r.loads),
    row('… cold, of which: until the last API answer arrived', '–', r.apiEnds),
    row(
      `… cold, of which: the slowest API answer (${mostCommon(r.slowestApi.map((x) => x.path))} most often)`,
      '–',
      r.slowestApi.map((x) => x.ms),
    ),
    row('switch the metric (error ↔ loss) until every curve shows it', '< 300 ms', r.switches),
    `| JS loaded with the page, gzipped | < 300 kB | ${kib(r.bundle.js)} (+ ${kib(r.bundle.css)} CSS; ` +
      `${kib(r.bundle.lazyJs)} more loaded on demand) | | |`,
    END,
  ].join('\n');
  writeMarkedSection({ start: START, end: END }, 'Dashboard at scale', section);
}

await main();

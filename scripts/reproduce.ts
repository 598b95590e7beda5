// Runs a preset through the real API and worker processes at the largest scale whose estimate fits
// a budget, then writes docs/results/<preset>.md with its figure (resnet-lab report).
//   npm run reproduce -- --preset cifar/depth --budget 45m [--out docs/results/cifar-depth.md]
// A scratch database and queue prefix of its own, one worker slot with all cores. Before the budgeted
// run, the demo grid and the preset at scale 0.01 train (a few minutes) so that the estimate the
// budget is fitted with rests on this machine's measured speed, not on documented constants. The
// figures, the table, the verdict and the machine it ran on go into the report.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PresetName } from '@resnet-lab/spec';
import { REPO_ROOT, waitFor, withScratchStack } from '@resnet-lab/testing';
import { ApiClient } from '../apps/cli/src/api-client';
import { formatDuration, parseDuration } from '../apps/cli/src/commands';
import { writeGridReport } from '../apps/cli/src/report/report-command';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'cifar/depth' },
    budget: { type: 'string', default: '45m' },
    out: { type: 'string' },
  },
});
const preset = PresetName.parse(values.preset);
const budgetSeconds = parseDuration(values.budget, '--budget');
const out = values.out ?? join(REPO_ROOT, 'docs/results', `${preset.replaceAll('/', '-')}.md`);
const log = (line: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);

interface Submitted {
  grid: { id: string };
  budget: { scale: number; wallSeconds: number; slots: number; backend: string };
}
const CALIBRATION_SCALE = 0.01;

interface GridState {
  done: boolean;
  progress: number;
  etaSeconds: number | null;
  counts: Record<string, number>;
}

await withScratchStack('rl_reproduce', async (stack) => {
  const api = new ApiClient({ baseUrl: stack.apiUrl });
  // The worker registers with its first heartbeat: until then the budget would assume no slot.
  await waitFor(
    async () => ((await api.get<{ workers: unknown[] }>('/v1/workers')).workers.length ? true : undefined),
    {
      timeoutMs: 120_000,
      what: 'the worker to register',
    },
  );
  const waitDone = (id: string, what: string, timeoutMs: number) => {
    let lastLog = 0;
    return waitFor(
      async () => {
        const g = await api.get<GridState>(`/v1/grids/${id}`);
        if (Date.now() - lastLog > 60_000) {
          lastLog = Date.now();
          const eta = g.etaSeconds === null ? '' : `, about ${formatDuration(g.etaSeconds)} left`;
          const done = `${(g.progress * 100).toFixed(0)}% done`;
          log(`${what}: ${done}, ${g.counts.succeeded} of ${g.counts.total} succeeded${eta}`);
        }
        return g.done ? g : undefined;
      },
      { timeoutMs, intervalMs: 5_000, what },
    );
  };
  const demo = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts/demo/grid.json'), 'utf8')) as object;
  const calibrationStarted = Date.now();
  for (const [what, body] of [
    ['calibration: the demo grid', demo],
    [`calibration: ${preset} at scale ${CALIBRATION_SCALE}`, { preset, scale: CALIBRATION_SCALE }],
  ] as const) {
    const { grid } = await api.post<Submitted>('/v1/grids', body);
    await waitDone(grid.id, what, 3_600_000);
  }
  const calibration = (Date.now() - calibrationStarted) / 1000;
  const started = Date.now();
  const submitted = await api.post<Submitted>('/v1/grids', { preset, budget: budgetSeconds });
  const { scale, wallSeconds, backend } = submitted.budget;
  log(`${preset}: scale ${scale} picked for ${values.budget} (estimated ${formatDuration(wallSeconds)} on ${backend})`);
  const id = submitted.grid.id;
  await waitDone(id, `${preset} at scale ${scale}`, 20 * budgetSeconds * 1000 + 600_000);
  const took = (Date.now() - started) / 1000;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const context = [
    `Ran by \`npm run reproduce -- --preset ${preset} --budget ${values.budget}\` on ` +
      `${new Date().toISOString().slice(0, 10)}: the real API and one worker slot (all cores) on a scratch database.`,
    `Machine: ${cpu} x ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
    `Scale ${scale} of the paper's recipe, the largest whose estimate fit the budget: estimated ` +
      `${formatDuration(wallSeconds)}, took ${formatDuration(took)}; backend ${backend}. The estimate was fitted ` +
      `on the demo grid and the preset at scale ${CALIBRATION_SCALE}, run first (${formatDuration(calibration)}).`,
  ];
  const written = await writeGridReport(api, id, out, context);
  log(`wrote ${written.markdown} and ${written.figure}`);
});

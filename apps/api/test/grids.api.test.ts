import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;
const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};

beforeAll(async () => {
  app = await api.build({ gridMaxExperiments: 50, sseIntervalMs: 50 });
});

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

async function members(gridId: string) {
  return (await get(`/v1/grids/${gridId}/experiments?limit=1000`)).json().items as {
    index: number;
    values: Record<string, unknown>;
    reused: boolean;
    experiment: { id: string; status: string; spec: any };
  }[];
}

/** Marks an experiment succeeded with per-epoch metrics, as the worker would. */
async function finish(id: string, trainErrors: number[]) {
  const { lease } = (await api.deps.repos.experiments.claim(id, 'w1'))!;
  for (const [i, error] of trainErrors.entries()) {
    await api.deps.repos.metrics.recordEpoch(lease, i + 1, [
      { split: 'train', name: 'error', value: error },
      { split: 'validation', name: 'error', value: error + 0.1 },
      { split: 'train', name: 'learning_rate', value: 0.1 },
    ]);
  }
  await api.deps.repos.experiments.finish(lease, 'succeed');
}

describe('POST /v1/grids', () => {
  it('expands, collapses and stores a grid, queueing one job per distinct experiment at grid priority', async () => {
    const res = await post('/v1/grids', {
      name: 'collapse',
      base: TINY,
      axes: {
        'architecture.family': ['cifar-plain', 'cifar-resnet'],
        'architecture.shortcutKernel': [1, 3],
        'training.seed': [0, 1],
      },
      priority: 900,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    // plain: the kernel does not apply (2 seeds); resnet option A has no projection either.
    expect(body).toMatchObject({ created: 4, reused: 0, duplicates: 4 });
    expect(body.grid).toMatchObject({ name: 'collapse', status: 'active', priority: 900, done: false, progress: 0 });
    expect(body.grid.counts).toMatchObject({ total: 4, queued: 4 });
    expect(body.grid.axes).toEqual(['architecture.family', 'architecture.shortcutKernel', 'training.seed']);

    const list = await members(body.grid.id);
    expect(list.map((m) => m.values['architecture.shortcutKernel'])).toEqual([null, null, null, null]);
    const job = await api.deps.trainQueue.getJob(list[0]!.experiment.id);
    expect(job?.priority).toBe(101);
    expect(await api.deps.repos.outbox.count()).toBe(0);
  });

  it('rejects a grid listing every bad point with its field, index and values, storing nothing', async () => {
    const before = await api.database.db.experiment.count();
    const res = await post('/v1/grids', {
      base: TINY,
      axes: { 'architecture.depth': [8, 18, 34], 'training.learningRate': [0.1, -1] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const errors = res.json().errors as { field: string; index: number; values: Record<string, unknown> }[];
    // 6 points: 4 have a bad depth, 3 a bad rate (one point has both).
    expect(errors.filter((e) => e.field === 'architecture.depth').map((e) => e.index)).toEqual([2, 3, 4, 5]);
    expect(errors.filter((e) => e.field === 'training.learningRate').map((e) => e.index)).toEqual([1, 3, 5]);
    expect(errors[0]!.values).toEqual({ 'architecture.depth': 8, 'training.learningRate': -1 });
    expect(await api.database.db.experiment.count()).toBe(before);
  });

  it("refuses points whose training cannot fit a worker's memory, in the dry run too", async () => {
    // 10 MiB per worker: TINY at batch 32 needs ~0.7 MB, at batch 4096 ~83 MB.
    const small = await buildApp(api.deps, { logger: false, workerMemoryBytes: 10 * 2 ** 20 });
    try {
      const before = await api.database.db.experiment.count();
      for (const url of ['/v1/grids', '/v1/grids?dryRun=true']) {
        const res = await small.inject({
          method: 'POST',
          url,
          payload: { base: TINY, axes: { 'training.batchSize': [32, 4096] } },
        });
        expect(res.statusCode).toBe(400);
        const errors = res.json().errors as { field: string; index: number; message: string }[];
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({
          field: 'training.batchSize',
          index: 1,
          values: { 'training.batchSize': 4096 },
        });
        expect(errors[0]!.message).toMatch(/needs at least 0\.08 GiB .*a worker has 0\.01 GiB \(WORKER_MEMORY_MB\)/);
      }
      expect(await api.database.db.experiment.count()).toBe(before);
      const fits = await small.inject({ method: 'POST', url: '/v1/grids?dryRun=true', payload: { base: TINY } });
      expect(fits.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('refuses grids above the configured maximum and malformed definitions, naming the field', async () => {
    const big = await post('/v1/grids', {
      base: TINY,
      axes: { 'training.seed': Array.from({ length: 51 }, (_, i) => i) },
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().errors[0]).toMatchObject({ field: 'axes' });
    expect(big.json().detail).toMatch(/maximum is 50/);
    const badPath = await post('/v1/grids', { base: TINY, axes: { 'optimizer.lr': [1] } });
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json().errors[0].field).toMatch(/^axes/);
    const scaleAlone = await post('/v1/grids', { base: TINY, scale: 0.1 });
    expect(scaleAlone.json().errors[0].field).toBe('scale');
    // A million points and a thousand exclude rules: refused from its cost, before any point is checked.
    const ten = Array.from({ length: 10 }, (_, i) => i + 1);
    const million = await post('/v1/grids?dryRun=true', {
      base: TINY,
      axes: Object.fromEntries(
        ['seed', 'epochs', 'batchSize', 'learningRate', 'momentum', 'weightDecay'].map((k) => [`training.${k}`, ten]),
      ),
      exclude: Array.from({ length: 1_000 }, (_, i) => ({ 'training.seed': (i % 10) + 1, 'training.epochs': i + 11 })),
    });
    expect(million.statusCode).toBe(400);
    expect(million.json().errors).toEqual([{ field: 'exclude', message: expect.stringMatching(/at most 10000000/) }]);
  });

  it('dry-runs with parameters, FLOPs and estimated time, storing nothing', async () => {
    const before = await api.database.db.grid.count();
    const res = await post('/v1/grids?dryRun=true', { base: TINY, axes: { 'architecture.depth': [8, 14] } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ dryRun: true, experiments: 2, total: 2 });
    const [shallow, deep] = body.points;
    expect(deep.flops).toBeGreaterThan(shallow.flops);
    expect(shallow.params).toBeGreaterThan(0);
    expect(shallow.estimatedSeconds).toBeGreaterThan(0);
    expect(body.estimate.totalSeconds).toBeCloseTo(shallow.estimatedSeconds + deep.estimatedSeconds);
    expect(body.estimate.source).toMatch(/constant|measured/);
    expect(await api.database.db.grid.count()).toBe(before);

    const preset = await post('/v1/grids?dryRun=true', { preset: 'resnet-paper/degradation', scale: 0.01 });
    expect(preset.statusCode).toBe(200);
    expect(preset.json().experiments).toBe(4);
    // Presets with warm starts inside the grid pass the same checks.
    for (const [name, experiments] of [
      ['vgg-paper/init-from-a', 7],
      ['transfer', 3],
    ] as const) {
      const dry = await post('/v1/grids?dryRun=true', { preset: name, scale: 0.01 });
      expect(dry.statusCode, dry.body).toBe(200);
      expect(dry.json().experiments).toBe(experiments);
    }
  });

  it('lists one page of the points of a dry run, with totals over all of them', async () => {
    const grid = { base: TINY, axes: { 'training.seed': Array.from({ length: 30 }, (_, i) => i) } };
    const first = (await post('/v1/grids?dryRun=true', grid)).json();
    expect(first).toMatchObject({ experiments: 30, pointsOffset: 0 });
    expect(first.points.map((p: { index: number }) => p.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const page = await post('/v1/grids?dryRun=true&points=10&offset=25', grid);
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ experiments: 30, pointsOffset: 25 });
    expect(page.json().points.map((p: { index: number }) => p.index)).toEqual([25, 26, 27, 28, 29]);
    expect(page.json().estimate.totalSeconds).toBeCloseTo(first.estimate.totalSeconds);
    const summaryOnly = (await post('/v1/grids?dryRun=true&points=0', grid)).json();
    expect(summaryOnly).toMatchObject({ experiments: 30, points: [] });
    const tooMany = await post('/v1/grids?dryRun=true&points=1001', grid);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].field).toBe('querystring.points');
  });

  it('reuses an experiment whose canonical spec already succeeded, unless force', async () => {
    const first = (await post('/v1/grids', { base: TINY, axes: { 'training.seed': [10, 11] } })).json();
    const [a] = await members(first.grid.id);
    await finish(a!.experiment.id, [0.5]);

    // The same network spelled differently (a kernel that option A ignores) still matches.
    const again = await post('/v1/grids', {
      base: { ...TINY, architecture: { ...TINY.architecture, shortcutKernel: 7 } },
      axes: { 'training.seed': [10, 11] },
    });
    expect(again.json()).toMatchObject({ created: 1, reused: 1 });
    const linked = await members(again.json().grid.id);
    expect(linked.find((m) => m.reused)!.experiment.id).toBe(a!.experiment.id);
    expect(again.json().grid.counts).toMatchObject({ total: 2, succeeded: 1, reused: 1 });

    const dry = (await post('/v1/grids?dryRun=true', { base: TINY, axes: { 'training.seed': [10] } })).json();
    expect(dry.points[0]).toMatchObject({ reuses: a!.experiment.id, estimatedSeconds: 0 });

    const forced = await post('/v1/grids', { base: TINY, axes: { 'training.seed': [10] }, force: true });
    expect(forced.json()).toMatchObject({ created: 1, reused: 0 });
  });
});

describe('grid lifecycle', () => {
  it('cancels: queued experiments cancelled and their jobs removed, running ones flagged', async () => {
    const grid = (await post('/v1/grids', { base: TINY, axes: { 'training.seed': [20, 21, 22] } })).json().grid;
    const list = await members(grid.id);
    await api.deps.repos.experiments.claim(list[0]!.experiment.id, 'w1');
    const res = await post(`/v1/grids/${grid.id}/cancel`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', counts: { cancelled: 2, running: 1 } });
    expect(await api.deps.trainQueue.getJob(list[1]!.experiment.id)).toBeUndefined();
    expect((await api.deps.repos.experiments.get(list[0]!.experiment.id))!.cancelRequested).toBe(true);
    // The transition table: a cancelled grid cannot be paused (409), cancelling again changes nothing.
    const pause = await post(`/v1/grids/${grid.id}/pause`, {});
    expect(pause.statusCode).toBe(409);
    expect(pause.json().detail).toMatch(/cannot pause grid .* it is cancelled/);
    expect((await post(`/v1/grids/${grid.id}/cancel`, {})).statusCode).toBe(200);
  });

  it('pauses (the worker cannot claim), resumes (jobs back), retries failed ones and re-prioritises', async () => {
    const grid = (await post('/v1/grids', { base: TINY, axes: { 'training.seed': [30, 31] } })).json().grid;
    const [x, y] = await members(grid.id);
    const paused = await post(`/v1/grids/${grid.id}/pause`, {});
    expect(paused.json().status).toBe('paused');
    expect(await api.deps.trainQueue.getJob(x!.experiment.id)).toBeUndefined();
    expect(await api.deps.repos.experiments.claim(x!.experiment.id, 'w1')).toBeNull();

    const resumed = await post(`/v1/grids/${grid.id}/resume`, {});
    expect(resumed.json()).toMatchObject({ status: 'active', counts: { queued: 2 } });
    expect(await api.deps.trainQueue.getJob(x!.experiment.id)).toBeDefined();

    const { lease } = (await api.deps.repos.experiments.claim(y!.experiment.id, 'w1'))!;
    await api.deps.repos.experiments.finish(lease, 'fail', 'boom');
    const retried = await post(`/v1/grids/${grid.id}/retry`, {});
    expect(retried.json().counts).toMatchObject({ queued: 2, failed: 0 });
    expect((await api.deps.repos.experiments.get(y!.experiment.id))!.error).toBeNull();

    const patched = await app.inject({ method: 'PATCH', url: `/v1/grids/${grid.id}`, payload: { priority: 1000 } });
    expect(patched.json().priority).toBe(1000);
    expect((await api.deps.trainQueue.getJob(x!.experiment.id))!.priority).toBe(1);
    const bad = await app.inject({ method: 'PATCH', url: `/v1/grids/${grid.id}`, payload: { priority: 5000 } });
    expect(bad.json().errors[0].field).toBe('priority');
  });

  it("pages a grid's experiments, each exactly as GET /v1/experiments/:id shows it, filtered by status", async () => {
    const res = await post('/v1/grids', { base: TINY, axes: { 'training.seed': [60, 61, 62, 63, 64] } });
    const gridId = res.json().grid.id as string;
    const all = await members(gridId);
    // One running with progress, one succeeded, one failed with an error: every kind of field set.
    const { lease } = (await api.deps.repos.experiments.claim(all[0]!.experiment.id, 'w-page'))!;
    await api.deps.repos.experiments.setProgress(lease, { epoch: 1, batch: 2, of: 3 });
    await finish(all[1]!.experiment.id, [0.5]);
    const failing = (await api.deps.repos.experiments.claim(all[2]!.experiment.id, 'w-page'))!;
    await api.deps.repos.experiments.finish(failing.lease, 'fail', 'out of memory');

    const pages: { items: { index: number; experiment: { id: string } }[]; nextAfter: number | null }[] = [];
    for (let after = -1; after !== null;) {
      const page = (await get(`/v1/grids/${gridId}/experiments?limit=2&after=${after}`)).json();
      pages.push(page);
      after = page.nextAfter;
    }
    expect(pages.map((p) => p.items.map((m) => m.index))).toEqual([[0, 1], [2, 3], [4]]);
    for (const item of pages.flatMap((p) => p.items)) {
      const view = (await get(`/v1/experiments/${item.experiment.id}`)).json();
      expect(item.experiment).toEqual(view);
    }
    const running = (await get(`/v1/grids/${gridId}/experiments?status=running`)).json();
    expect(running.items.map((m: { index: number }) => m.index)).toEqual([0]);
    expect(running.items[0].experiment.progress).toEqual({ epoch: 1, batch: 2, of: 3 });
    expect(running.nextAfter).toBeNull();
    const empty = (await get(`/v1/grids/${gridId}/experiments?status=cancelled`)).json();
    expect(empty).toEqual({ items: [], nextAfter: null });
  });

  it('stores the estimate with each experiment at submit and sets it beside the time taken', async () => {
    const definition = { base: TINY, axes: { 'architecture.depth': [8, 20], 'training.seed': [70] } };
    const dry = (await post('/v1/grids?dryRun=true', definition)).json();
    const gridId = (await post('/v1/grids', definition)).json().grid.id as string;
    const all = await members(gridId);
    const estimated = dry.points.map((p: { estimatedSeconds: number }) => p.estimatedSeconds);
    expect(estimated.every((s: number) => s > 0)).toBe(true);
    expect(all.map((m) => (m.experiment as unknown as { predictedSeconds: number }).predictedSeconds)).toEqual(
      estimated,
    );
    // No worker is active: the ETA is what is left, on one slot.
    const eta = async () => (await get(`/v1/grids/${gridId}`)).json().etaSeconds as number | null;
    expect(await eta()).toBeCloseTo(estimated[0] + estimated[1], 6);
    await finish(all[0]!.experiment.id, [0.5]);
    expect(await eta()).toBeCloseTo(estimated[1], 6);
    // A quarter into its only epoch, a quarter of its prediction is behind it.
    const { lease } = (await api.deps.repos.experiments.claim(all[1]!.experiment.id, 'w-eta'))!;
    await api.deps.repos.experiments.setProgress(lease, { epoch: 1, epochs: 1, step: 1, stepsPerEpoch: 4 });
    expect(await eta()).toBeCloseTo(0.75 * estimated[1], 6);
    expect((await get(`/v1/grids/${gridId}`)).json().progress).toBe(0.5); // whole epochs only
    await post(`/v1/grids/${gridId}/pause`, {});
    expect(await eta()).toBeNull(); // nothing more starts
    await post(`/v1/grids/${gridId}/resume`, {});
    await api.deps.repos.experiments.finish(lease, 'succeed');
    const summary = (await get(`/v1/grids/${gridId}/summary`)).json();
    const [done] = summary.experiments;
    expect(done).toMatchObject({ predictedSeconds: estimated[0] });
    expect(done.actualSeconds).toBeGreaterThanOrEqual(0);
    const csv = (await get(`/v1/grids/${gridId}/export?format=csv`)).body.split('\n');
    const header = csv[0]!.split(',');
    const first = csv[1]!.split(',');
    expect(Number(first[header.indexOf('predictedSeconds')])).toBeCloseTo(estimated[0], 6);
    expect(Number(first[header.indexOf('actualSeconds')])).toBeCloseTo(done.actualSeconds, 6);
  });

  it('picks the largest preset scale whose estimate fits a budget on the active slots', async () => {
    const dryRun = async (body: object) => {
      const res = await post('/v1/grids?dryRun=true&points=0&backend=onednn', body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const full = await dryRun({ preset: 'cifar/depth', scale: 1 });
    // No worker is active: the grid would wait for one, and is costed for one slot.
    const tenth = (await dryRun({ preset: 'cifar/depth', budget: full.estimate.totalSeconds / 10 })).budget;
    expect(tenth).toMatchObject({ slots: 1, backend: full.estimate.backend });
    expect(tenth.scale).toBeGreaterThan(0);
    expect(tenth.scale).toBeLessThan(1);
    expect(tenth.wallSeconds).toBeLessThanOrEqual(full.estimate.totalSeconds / 10);
    // The scale it reports is one a person can give again, to the same estimate.
    const again = await dryRun({ preset: 'cifar/depth', scale: tenth.scale });
    expect(again.estimate.totalSeconds).toBeCloseTo(tenth.computeSeconds, 6);
    expect((await dryRun({ preset: 'cifar/depth', budget: full.estimate.totalSeconds })).budget.scale).toBe(1);

    // Two active slots: the same budget buys about twice the compute.
    const workerId = randomUUID();
    await api.deps.repos.workers.beat({
      id: workerId,
      name: 'w',
      host: 'h',
      pid: 1,
      heartbeatMs: 60_000,
      slots: [{}, {}],
    });
    try {
      const twoSlots = (await dryRun({ preset: 'cifar/depth', budget: full.estimate.totalSeconds / 10 })).budget;
      expect(twoSlots.slots).toBe(2);
      expect(twoSlots.scale).toBeGreaterThan(tenth.scale);
      expect(twoSlots.wallSeconds).toBeCloseTo(twoSlots.computeSeconds / 2, 6);
      // A submit with a budget stores the scale it picked and says so.
      const created = await post('/v1/grids?backend=onednn', {
        preset: 'cifar/depth',
        budget: full.estimate.totalSeconds / 10,
      });
      expect(created.statusCode).toBe(201);
      expect(created.json().budget).toEqual(twoSlots);
      await post(`/v1/grids/${created.json().grid.id}/cancel`, {});
    } finally {
      await api.deps.repos.workers.stop(workerId, []);
    }

    for (const [body, message] of [
      [{ base: TINY, budget: 3600 }, /needs preset/],
      [{ preset: 'cifar/depth', scale: 0.1, budget: 3600 }, /not both/],
      [{ preset: 'cifar/depth', budget: 1 }, /even scale 0.001/],
    ] as const) {
      const res = await post('/v1/grids?dryRun=true', body);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([{ field: 'budget', message: expect.stringMatching(message) }]);
    }
  });

  it('answers 404 problems for unknown grids and lists grids', async () => {
    const missing = await get('/v1/grids/6f1c3e0a-8f1e-4a56-9a7c-2d7f0c6f4b11/summary');
    expect(missing.statusCode).toBe(404);
    const list = await get('/v1/grids?limit=2');
    expect(list.json().items).toHaveLength(2);
    expect(list.json().nextCursor).toBeTruthy();
  });
});

describe('results', () => {
  let gridId: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    const res = await post('/v1/grids', {
      base: TINY,
      axes: {
        'architecture.family': ['cifar-plain', 'cifar-resnet'],
        'architecture.depth': [8, 14],
        'training.seed': [40, 41],
      },
    });
    gridId = res.json().grid.id;
    ids = {};
    for (const m of await members(gridId)) {
      const key = ['architecture.family', 'architecture.depth', 'training.seed'].map((k) => String(m.values[k]));
      ids[key.join('-')] = m.experiment.id;
    }
    // Plain degrades with depth, residual improves: the paper's finding.
    const finalError: Record<string, number> = {
      'cifar-plain-8': 0.2,
      'cifar-plain-14': 0.3,
      'cifar-resnet-8': 0.2,
      'cifar-resnet-14': 0.1,
    };
    for (const [key, id] of Object.entries(ids)) {
      const net = key.replace(/-4\d$/, '');
      const seedShift = key.endsWith('41') ? 0.02 : 0;
      await finish(id, [0.6, 0.1, finalError[net]! + seedShift]);
    }
  });

  it('summarises final and best metrics per experiment, mean ± std per group and the degradation check', async () => {
    const res = await get(`/v1/grids/${gridId}/summary`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const one = body.experiments.find((e: { experimentId: string }) => e.experimentId === ids['cifar-plain-14-40']);
    expect(one).toMatchObject({
      epochs: 3,
      final: { 'train.error': 0.3, 'validation.error': 0.4 },
      best: { 'train.error': 0.1 },
    });
    expect(one.best['train.learning_rate']).toBeUndefined();
    expect(body.groups).toHaveLength(4);
    const group = body.groups.find(
      (g: { values: Record<string, unknown> }) =>
        g.values['architecture.family'] === 'cifar-plain' && g.values['architecture.depth'] === 14,
    );
    expect(group.n).toBe(2);
    expect(group.final['train.error'].mean).toBeCloseTo(0.31);
    expect(group.final['train.error'].std).toBeCloseTo(Math.SQRT2 * 0.01);
    expect(body.degradation).toMatchObject({ plainDegrades: true, residualImproves: true, reproduced: true });
    const plain = body.degradation.series.find((s: { family: string }) => s.family === 'cifar-plain');
    expect(plain.steps[0]).toMatchObject({ fromDepth: 8, toDepth: 14, metric: 'train.error', verdict: 'worse' });
  });

  it('serves 304 for unchanged polls of grid, summary, curves, experiment; a fresh body after a change', async () => {
    for (const url of [
      `/v1/grids/${gridId}`,
      `/v1/grids/${gridId}/summary`,
      `/v1/grids/${gridId}/curves?metric=train.error`,
      `/v1/experiments/${ids['cifar-plain-8-40']}`,
    ]) {
      const first = await get(url);
      const etag = first.headers.etag as string;
      expect(etag, url).toMatch(/^W\/"/);
      const again = await get(url, { 'if-none-match': etag });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe('');
    }
    const etag = (await get(`/v1/grids/${gridId}/summary`)).headers.etag as string;
    // A late epoch lands (written directly: the experiment has finished, so no attempt may write).
    const id = ids['cifar-plain-8-40']!;
    await api.deps.db.metric.create({
      data: { experimentId: id, epoch: 4, split: 'train', name: 'error', value: 0.05 },
    });
    await api.deps.db.experiment.update({ where: { id }, data: { progress: { epoch: 4, epochs: 4 } } });
    const changed = await get(`/v1/grids/${gridId}/summary`, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
  });

  it('returns curves per experiment and per group, downsampled when long', async () => {
    const byExperiment = (await get(`/v1/grids/${gridId}/curves?metric=validation.error`)).json();
    const series = byExperiment.series.find(
      (s: { experimentId: string }) => s.experimentId === ids['cifar-resnet-14-40'],
    );
    expect(series.points).toEqual([
      { epoch: 1, value: 0.7 },
      { epoch: 2, value: 0.2 },
      { epoch: 3, value: expect.closeTo(0.2) },
    ]);
    const grouped = (await get(`/v1/grids/${gridId}/curves?metric=validation.error&by=group&maxPoints=2`)).json();
    expect(grouped.series).toHaveLength(4);
    expect(grouped.series[0].points).toHaveLength(2);
    expect(grouped.series[0].points[0]).toMatchObject({ epoch: 2, n: 2 });
    // The database's per-group aggregate equals the mean and sample std of the members' own curves.
    const each = (await get(`/v1/grids/${gridId}/curves?metric=validation.error&by=experiment`)).json();
    const exact = (await get(`/v1/grids/${gridId}/curves?metric=validation.error&by=group`)).json();
    for (const group of exact.series) {
      const members = each.series.filter(
        (s: { values: Record<string, unknown> }) =>
          JSON.stringify({ ...s.values, 'training.seed': undefined }) === JSON.stringify({ ...group.values }),
      );
      expect(members.length).toBeGreaterThan(0);
      for (const point of group.points) {
        const values = members.flatMap(
          (m: { points: { epoch: number; value: number }[] }) =>
            m.points.find((p) => p.epoch === point.epoch)?.value ?? [],
        ) as number[];
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const std =
          values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
        expect(point).toEqual({
          epoch: point.epoch,
          value: expect.closeTo(mean, 9),
          std: expect.closeTo(std, 9),
          n: values.length,
        });
      }
    }
    const bad = await get(`/v1/grids/${gridId}/curves?metric=error`);
    expect(bad.json().errors[0].field).toBe('querystring.metric');
  });

  it('exports CSV and JSON', async () => {
    const csv = await get(`/v1/grids/${gridId}/export?format=csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toContain('architecture.family,architecture.depth,training.seed');
    expect(lines[0]).toContain('final.train.error');
    const json = (await get(`/v1/grids/${gridId}/export?format=json`)).json();
    expect(json.experiments).toHaveLength(8);
    expect(json.experiments[0].spec.architecture.family).toBe('cifar-plain');
  });

  it('compares experiments, listing the spec fields that differ', async () => {
    const a = ids['cifar-plain-8-40']!;
    const b = ids['cifar-resnet-14-41']!;
    const res = await get(`/v1/compare?ids=${a},${b}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.differences.map((d: { field: string }) => d.field).sort()).toEqual([
      'architecture.depth',
      'architecture.family',
      'training.seed',
    ]);
    expect(body.differences.find((d: { field: string }) => d.field === 'architecture.depth').values).toEqual([8, 14]);
    expect(body.experiments[0].final['train.error']).toBeCloseTo(0.05);
    const missing = await get(`/v1/compare?ids=${a},6f1c3e0a-8f1e-4a56-9a7c-2d7f0c6f4b11`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors[0].field).toBe('querystring.ids');
    const one = await get(`/v1/compare?ids=${a}`);
    expect(one.statusCode).toBe(400);
  });

  it('streams a finished grid as one event and an end event', async () => {
    const res = await get(`/v1/grids/${gridId}/events`);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toMatch(/^event: grid\nid: W\/"[^"]+"\ndata: \{.*"done":true/);
    expect(res.body).toContain('event: end');
  });

  it('streams live changes of an active grid and stops when the client goes away', async () => {
    const grid = (await post('/v1/grids', { base: TINY, axes: { 'training.seed': [50] } })).json().grid;
    const [member] = await members(grid.id);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/grids/${grid.id}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextEvent = async () => {
      while (!/\n\n/.test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
      const cut = text.indexOf('\n\n');
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      return JSON.parse(/^data: (.*)$/m.exec(block)![1]!);
    };
    expect((await nextEvent()).counts).toMatchObject({ queued: 1, running: 0 });
    await api.deps.repos.experiments.claim(member!.experiment.id, 'w1');
    expect((await nextEvent()).counts).toMatchObject({ queued: 0, running: 1 });
    controller.abort();
    await reader.closed.catch(() => {});
    // The server notices the client is gone: the app still answers and closes without hanging on the stream.
    expect((await get(`/v1/grids/${grid.id}`)).statusCode).toBe(200);
  });

  it('documents every grid and comparison endpoint in OpenAPI', async () => {
    const doc = (await get('/openapi.json')).json();
    for (const path of [
      '/v1/grids',
      '/v1/grids/{id}',
      '/v1/grids/{id}/summary',
      '/v1/grids/{id}/curves',
      '/v1/grids/{id}/export',
      '/v1/grids/{id}/events',
      '/v1/grids/{id}/cancel',
      '/v1/grids/{id}/pause',
      '/v1/grids/{id}/resume',
      '/v1/grids/{id}/retry',
      '/v1/grids/{id}/experiments',
      '/v1/compare',
      '/v1/experiments/{id}/events',
      '/v1/presets',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;

beforeAll(async () => {
  app = await api.build();
});

const submit = (payload: object) => app.inject({ method: 'POST', url: '/v1/experiments', payload });

async function finishedExperiment(): Promise<string> {
  const created = (await submit({})).json();
  const { lease } = (await api.deps.repos.experiments.claim(created.id, 'w1'))!;
  await api.deps.repos.experiments.finish(lease, 'succeed');
  return created.id as string;
}

describe('warm start at submit (spec.init)', () => {
  it('refuses an unknown or unfinished source experiment, naming init.from.experiment', async () => {
    const unknown = '00000000-0000-4000-8000-00000000beef';
    const res = await submit({ init: { from: { experiment: unknown } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'init.from.experiment', message: `no experiment ${unknown} in this project` },
    ]);

    const queued = (await submit({})).json().id as string;
    const early = await submit({ init: { from: { experiment: queued } } });
    expect(early.statusCode).toBe(400);
    expect(early.json().errors[0]).toEqual({
      field: 'init.from.experiment',
      message: `experiment ${queued} is queued; a warm start needs one that finished (succeeded or stopped)`,
    });
  });

  it('refuses a source trained on inputs of another size', async () => {
    const source = await finishedExperiment();
    const res = await submit({
      dataset: { name: 'synthetic', imageSize: 16 },
      init: { from: { experiment: source } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field: 'init.from.experiment',
        message: `experiment ${source} was trained on 8x8x3 inputs; this network takes 16x16x3`,
      },
    ]);
  });

  it('refuses a model directory outside DATASET_ROOTS, naming init.from.modelDir', async () => {
    const res = await submit({ init: { from: { modelDir: '/etc/models' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field: 'init.from.modelDir',
        message: expect.stringMatching(/^init\.from\.modelDir is outside the dataset roots \(DATASET_ROOTS=/),
      },
    ]);
  });

  it('refuses layer names the network does not have, and stores a valid warm start with its spec', async () => {
    const source = await finishedExperiment();
    const bad = await submit({ init: { from: { experiment: source }, load: ['stem_conv', 'nope'], freeze: 'zzz' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      { field: 'init.load.1', message: 'the network has no layer "nope"' },
      { field: 'init.freeze', message: 'the network has no layer "zzz"; use none, all-but-head or a layer name' },
    ]);

    const ok = await submit({ init: { from: { experiment: source, epoch: 'best' }, freeze: 'stage1_block1_conv1' } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      spec: { init: { from: { experiment: source, epoch: 'best' }, load: 'matching', freeze: 'stage1_block1_conv1' } },
      initReport: null,
    });
  });

  it("checks every grid point's warm start and lists the bad ones with their values", async () => {
    const source = await finishedExperiment();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/grids',
      payload: {
        base: { training: { epochs: 1 }, init: { from: { experiment: source } } },
        axes: { 'init.freeze': ['none', 'stem_conv', 'missing'] },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field: 'init.freeze',
        message: 'the network has no layer "missing"; use none, all-but-head or a layer name',
        index: 2,
        values: { 'init.freeze': 'missing' },
      },
    ]);
  });

  it('refuses a grid point source outside a grid, and a grid point naming no point, with the field', async () => {
    const single = await submit({ init: { from: { point: { 'architecture.depth': 8 } } } });
    expect(single.statusCode).toBe(400);
    expect(single.json().errors[0]).toMatchObject({ field: 'init.from.point' });

    const grid = await app.inject({
      method: 'POST',
      url: '/v1/grids',
      payload: {
        base: { training: { epochs: 1 } },
        zip: [{ 'architecture.depth': [8, 14], init: [null, { from: { point: { 'architecture.depth': 20 } } }] }],
      },
    });
    expect(grid.statusCode).toBe(400);
    expect(grid.json().errors[0]).toMatchObject({ field: 'init.from.point', index: 1 });
  });

  it('stores a dependant waiting for its source, with the source named by id in its spec', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/grids',
      payload: {
        base: { training: { epochs: 1 } },
        zip: [{ 'architecture.depth': [8, 14], init: [null, { from: { point: { 'architecture.depth': 8 } } }] }],
      },
    });
    expect(res.statusCode).toBe(201);
    const members = (await app.inject({ method: 'GET', url: `/v1/grids/${res.json().grid.id}/experiments` })).json()
      .items;
    const [source, dependant] = members.map((m: { experiment: Record<string, unknown> }) => m.experiment);
    expect(source.waitsFor).toBeNull();
    expect(dependant.waitsFor).toBe(source.id);
    expect(dependant.spec.init.from).toEqual({ experiment: source.id, epoch: 'last' });
    const single = (await app.inject({ method: 'GET', url: `/v1/experiments/${dependant.id}` })).json();
    expect(single.waitsFor).toBe(source.id);
  });

  it('parses a model directory it can see at submit: a model.json that is not a model is a 400', async () => {
    const roots = mkdtempSync(join(tmpdir(), 'models-'));
    try {
      const withRoots = await api.build({ datasetAccess: { roots: [roots], maxFileBytes: 2 ** 20 } });
      const dir = join(roots, 'broken');
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: 'none' }));
      const res = await withRoots.inject({
        method: 'POST',
        url: '/v1/experiments',
        payload: { init: { from: { modelDir: dir } } },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ field: 'init.from.modelDir' });
      expect(res.json().errors[0].message).toMatch(/model\.json is not a TensorFlow\.js model \(weightsManifest: /);
      // One this machine cannot see is left to the worker, which reads it under the same roots.
      const elsewhere = await withRoots.inject({
        method: 'POST',
        url: '/v1/experiments',
        payload: { init: { from: { modelDir: join(roots, 'on-the-workers') } } },
      });
      expect(elsewhere.statusCode).toBe(201);
    } finally {
      rmSync(roots, { recursive: true, force: true });
    }
  });
});

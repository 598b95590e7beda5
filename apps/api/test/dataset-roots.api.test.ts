import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app';
import { useTestApi } from './support/test-app';

/** Datasets only from DATASET_ROOTS: the API refuses other directories before storing or queueing. */
const api = useTestApi();
let app: App;
// A root of this test's own; the directory need not exist (the API does not look at the disk).
const root = mkdtempSync(join(tmpdir(), 'rl-dataset-root-'));

beforeAll(async () => {
  app = await api.build({ datasetAccess: { roots: [root], maxFileBytes: 2 ** 20 } });
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
});

const TINY = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  training: { epochs: 1, batchSize: 8 },
};
const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });

async function refused(url: string, payload: object) {
  const before = await api.database.db.experiment.count();
  const res = await post(url, payload);
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(await api.database.db.experiment.count()).toBe(before);
  return res.json<{ detail: string; errors: { field: string; message: string; index?: number }[] }>();
}

describe('dataset directories at submit', () => {
  it('by default: /etc refused naming dataset.dir, the Fashion-MNIST default dir accepted', async () => {
    const plain = await buildApp(api.deps, { logger: false });
    try {
      const etc = await plain.inject({
        method: 'POST',
        url: '/v1/experiments',
        payload: { ...TINY, dataset: { name: 'idx', dir: '/etc', trainImages: 'shadow' } },
      });
      expect(etc.statusCode).toBe(400);
      expect(etc.json().errors).toEqual([
        {
          field: 'dataset.dir',
          message: 'dataset.dir is outside the dataset roots (DATASET_ROOTS=/usr/share/datasets)',
        },
      ]);
      const fashion = await plain.inject({
        method: 'POST',
        url: '/v1/experiments',
        payload: { ...TINY, dataset: { name: 'fashion-mnist', subset: 100 } },
      });
      expect(fashion.statusCode).toBe(201);
    } finally {
      await plain.close();
    }
  });

  it('refuses dataset dir /etc with a 400 naming dataset.dir, storing nothing', async () => {
    const body = await refused('/v1/experiments', { ...TINY, dataset: { name: 'idx', dir: '/etc' } });
    expect(body.errors).toEqual([
      { field: 'dataset.dir', message: `dataset.dir is outside the dataset roots (DATASET_ROOTS=${root})` },
    ]);
  });

  it("refuses '..' segments and relative paths even when they would land inside a root", async () => {
    for (const dir of [`${root}/../${root.split('/').at(-1)}`, `${root}/a/../../etc`, 'datasets/cifar']) {
      const body = await refused('/v1/experiments', { ...TINY, dataset: { name: 'cifar10', dir } });
      expect(body.errors.map((e) => e.field)).toEqual(['dataset.dir']);
    }
  });

  it('refuses file names that are not plain names, naming the field', async () => {
    for (const trainImages of ['../../etc/shadow', 'sub/train', '..']) {
      const body = await refused('/v1/experiments', { ...TINY, dataset: { name: 'idx', dir: root, trainImages } });
      expect(body.errors.map((e) => e.field)).toEqual(['dataset.trainImages']);
    }
  });

  it('accepts a directory under a root', async () => {
    const res = await post('/v1/experiments', {
      ...TINY,
      dataset: { name: 'idx', dir: join(root, 'set'), trainImages: 'train.gz' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('refuses a grid whose points read outside the roots, in dry runs too, naming each point', async () => {
    const grid = {
      base: { ...TINY, dataset: { name: 'cifar10', dir: join(root, 'cifar') } },
      axes: { 'dataset.dir': [join(root, 'cifar'), '/etc', `${root}-other`] },
    };
    for (const url of ['/v1/grids', '/v1/grids?dryRun=true']) {
      const body = await refused(url, grid);
      expect(body.errors.map((e) => [e.field, e.index])).toEqual([
        ['dataset.dir', 1],
        ['dataset.dir', 2],
      ]);
    }
  });
});

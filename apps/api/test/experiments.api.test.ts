import { beforeAll, describe, expect, it } from 'vitest';
import { describeModel } from '@resnet-lab/models';
import type { ArchitectureSpec } from '@resnet-lab/spec';
import { buildApp, type App } from '../src/app';
import { useTestApi } from './support/test-app';

const api = useTestApi();
let app: App;

beforeAll(async () => {
  app = await api.build();
});

describe('POST /v1/experiments', () => {
  it("refuses a spec whose training cannot fit a worker's memory, naming the field", async () => {
    const small = await buildApp(api.deps, { logger: false, workerMemoryBytes: 4 * 2 ** 30 });
    try {
      const before = await api.database.db.experiment.count();
      const res = await small.inject({
        method: 'POST',
        url: '/v1/experiments',
        payload: {
          architecture: { family: 'resnet', depth: 50 },
          dataset: { name: 'synthetic', trainSize: 64, testSize: 16, imageSize: 224, classes: 1000 },
          training: { epochs: 1, batchSize: 4096 },
        },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([
        {
          field: 'training.batchSize',
          message: expect.stringMatching(/needs at least \d+ GiB.*a worker has 4\.00 GiB/),
        },
      ]);
      expect(await api.database.db.experiment.count()).toBe(before);
      const fits = await small.inject({ method: 'POST', url: '/v1/experiments', payload: { training: { epochs: 1 } } });
      expect(fits.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('stores the spec with its defaults and queues a job whose id is the experiment id', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/experiments',
      payload: { name: 'tiny', training: { epochs: 2 } },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.status).toBe('queued');
    expect(body.spec.training).toMatchObject({ epochs: 2, batchSize: 128, seed: 0 });
    expect(body.specHash).toMatch(/^[0-9a-f]{64}$/);

    const job = await api.deps.trainQueue.getJob(body.id);
    expect(job?.data).toEqual({ experimentId: body.id });
    expect(await api.deps.repos.outbox.count()).toBe(0);
  });

  it('answers a malformed body with problem+json naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/experiments',
      payload: { training: { learningRate: 'fast' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(body.errors).toEqual([expect.objectContaining({ field: 'training.learningRate' })]);
    expect(body.detail).toContain('training.learningRate');
  });

  it('rejects invalid JSON with a 400 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/experiments',
      headers: { 'content-type': 'application/json' },
      payload: '{"training": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().status).toBe(400);
  });
});

describe('reading experiments', () => {
  it('lists newest first, pages with a cursor and filters by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/experiments',
        payload: { training: { seed: 100 + i } },
      });
      ids.push(res.json().id);
    }
    const first = await app.inject({ method: 'GET', url: '/v1/experiments?limit=2' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const second = await app.inject({ method: 'GET', url: `/v1/experiments?limit=2&cursor=${page1.nextCursor}` });
    expect(second.json().items[0].id).toBe(ids[0]);

    const none = await app.inject({ method: 'GET', url: '/v1/experiments?status=succeeded' });
    expect(none.json().items).toEqual([]);
    const bad = await app.inject({ method: 'GET', url: '/v1/experiments?status=done' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.status');
  });

  it('returns 404 problems for unknown ids and 400 for malformed ones', async () => {
    const missing = await app.inject({ method: 'GET', url: '/v1/experiments/6f1c3e0a-8f1e-4a56-9a7c-2d7f0c6f4b11' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toMatch(/does not exist/);
    const malformed = await app.inject({ method: 'GET', url: '/v1/experiments/not-a-uuid/metrics' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].field).toBe('params.id');
  });

  it('returns metrics recorded for an experiment', async () => {
    const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json();
    const { lease } = (await api.deps.repos.experiments.claim(created.id, 'w1'))!;
    await api.deps.repos.metrics.recordEpoch(lease, 1, [
      { split: 'train', name: 'loss', value: 1.25 },
      { split: 'validation', name: 'loss', value: 1.5 },
    ]);
    const res = await app.inject({ method: 'GET', url: `/v1/experiments/${created.id}/metrics?split=validation` });
    expect(res.json().metrics).toEqual([{ epoch: 1, split: 'validation', name: 'loss', value: 1.5 }]);
  });

  it('records the backend with the reason it was chosen', async () => {
    const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json();
    expect(created.backendReason).toBeNull();
    const { lease } = (await api.deps.repos.experiments.claim(created.id, 'w1'))!;
    await api.deps.repos.experiments.setBackend(lease, 'cpu', 'fallback: onednn (not installed)');
    const res = (await app.inject({ method: 'GET', url: `/v1/experiments/${created.id}` })).json();
    expect([res.backend, res.backendReason]).toEqual(['cpu', 'fallback: onednn (not installed)']);
  });

  it("describes the experiment's network with its dataset's input size and classes", async () => {
    const spec = {
      architecture: { family: 'cifar-resnet', depth: 20 },
      dataset: { name: 'synthetic', trainSize: 64, testSize: 16, imageSize: 16, channels: 1, classes: 7 },
    };
    const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: spec })).json();
    const res = await app.inject({ method: 'GET', url: `/v1/experiments/${created.id}/model` });
    expect(res.statusCode).toBe(200);
    const expected = describeModel({
      ...(created.spec.architecture as ArchitectureSpec),
      inputSize: 16,
      inputChannels: 1,
      numClasses: 7,
    });
    expect(res.json()).toEqual(expected);
    expect(res.json().layers.at(-1).outputShape).toEqual([7]);
    const missing = await app.inject({
      method: 'GET',
      url: '/v1/experiments/6f1c3e0a-8f1e-4a56-9a7c-2d7f0c6f4b11/model',
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('cancel', () => {
  it('cancels a queued experiment and removes its job', async () => {
    const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json();
    expect(await api.deps.trainQueue.getJob(created.id)).toBeTruthy();
    const res = await app.inject({ method: 'POST', url: `/v1/experiments/${created.id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    expect(await api.deps.trainQueue.getJob(created.id)).toBeUndefined();
    const again = await app.inject({ method: 'POST', url: `/v1/experiments/${created.id}/cancel` });
    expect(again.statusCode).toBe(200);
  });

  it('answers 409 naming the state when the transition table forbids the change', async () => {
    const created = (await app.inject({ method: 'POST', url: '/v1/experiments', payload: {} })).json();
    const { lease } = (await api.deps.repos.experiments.claim(created.id, 'w1'))!;
    await api.deps.repos.experiments.finish(lease, 'succeed');
    const res = await app.inject({ method: 'POST', url: `/v1/experiments/${created.id}/cancel` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ status: 409, title: 'Conflict' });
    expect(res.json().detail).toContain('succeeded');
  });
});

describe('health and docs', () => {
  it('is ready when Postgres and Redis answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ postgres: { ok: true }, redis: { ok: true } });
  });

  it('serves an OpenAPI document generated from the zod schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/experiments',
        '/v1/experiments/{id}',
        '/v1/experiments/{id}/metrics',
        '/v1/experiments/{id}/cancel',
        '/readyz',
      ]),
    );
    const body = doc.paths['/v1/experiments'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toContain('learningRate');
  });
});

describe('readiness when Redis is down', () => {
  it('answers 503 and says which dependency failed', async () => {
    const { Redis } = await import('ioredis');
    // Nothing listens on port 1: the check must fail fast, not hang.
    const deadRedis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => {});
    const degraded = await buildApp({ ...api.deps, redis: deadRedis }, { logger: false });
    try {
      const res = await degraded.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.postgres.ok).toBe(true);
      expect(res.json().checks.redis.ok).toBe(false);
    } finally {
      await degraded.close();
      deadRedis.disconnect();
    }
  });
});

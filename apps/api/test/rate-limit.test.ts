// One client's request loop must not take the API from everyone: past its budget it gets 429s
// (problem+json, with Retry-After), while health probes keep answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositories } from '@resnet-lab/db';
import { createRedisConnection, createTrainQueue, startOutboxRelay } from '@resnet-lab/queue';
import {
  createTestDatabase,
  createTestQueuePrefix,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';
import { buildApp, type App } from '../src/app';
import type { AppDeps } from '../src/deps';

const MAX = 5;
let database: TestDatabase;
let queuePrefix: TestQueuePrefix;
let deps: AppDeps;
let app: App;

beforeAll(async () => {
  database = await createTestDatabase();
  queuePrefix = await createTestQueuePrefix();
  const repos = repositories(database.db);
  const trainQueue = createTrainQueue(queuePrefix.redis, queuePrefix.prefix);
  const outbox = startOutboxRelay(repos.outbox, trainQueue, { intervalMs: 60_000, onError: () => {} });
  deps = {
    db: database.db,
    repos,
    redis: createRedisConnection('redis://127.0.0.1:6379', 'producer'),
    trainQueue,
    outbox,
  };
  app = await buildApp(deps, { logger: false, rateLimit: { max: MAX, windowMs: 60_000 } });
});

afterAll(async () => {
  await app.close();
  await deps.outbox.stop();
  await deps.trainQueue.close();
  deps.redis.disconnect();
  await queuePrefix.cleanup();
  await database.drop();
});

const get = (url: string, ip: string) => app.inject({ method: 'GET', url, remoteAddress: ip });

describe('rate limit', () => {
  it('answers 429 problem+json with Retry-After past the budget, per client, never to health probes', async () => {
    for (let i = 0; i < MAX; i++) expect((await get('/v1/grids', '10.0.0.1')).statusCode).toBe(200);
    const over = await get('/v1/grids', '10.0.0.1');
    expect(over.statusCode).toBe(429);
    expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json()).toMatchObject({ status: 429, detail: expect.stringMatching(/at most 5 per 60 s/) });
    // Another client still has its own budget; probes are not counted.
    expect((await get('/v1/grids', '10.0.0.2')).statusCode).toBe(200);
    expect((await get('/healthz', '10.0.0.1')).statusCode).toBe(200);
    expect((await get('/readyz', '10.0.0.1')).statusCode).toBe(200);
  });
});

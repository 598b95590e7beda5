import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositories, type Repositories } from '@resnet-lab/db';
import { ExperimentSpec, specHash } from '@resnet-lab/spec';
import {
  createTestDatabase,
  createTestQueuePrefix,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';
import { createTrainQueue, reconcileQueue, startOutboxRelay, type TrainQueue } from '../src/index';

let database: TestDatabase;
let prefix: TestQueuePrefix;
let repos: Repositories;
let queue: TrainQueue;

beforeAll(async () => {
  database = await createTestDatabase();
  prefix = await createTestQueuePrefix();
  repos = repositories(database.db);
  queue = createTrainQueue(prefix.redis, prefix.prefix);
});

afterAll(async () => {
  await queue.close();
  await prefix.cleanup();
  await database.drop();
});

describe('reconcileQueue', () => {
  it('queues again the experiments whose job Redis lost, and only those', async () => {
    const relay = startOutboxRelay(repos.outbox, queue, { intervalMs: 60_000, onError: () => {} });
    const spec = ExperimentSpec.parse({});
    const kept = await repos.experiments.createWithOutbox(spec, specHash(spec));
    const lost = await repos.experiments.createWithOutbox(spec, specHash(spec));
    const cancelled = await repos.experiments.createWithOutbox(spec, specHash(spec));
    await relay.flush();
    await repos.experiments.requestCancel(cancelled.id);

    // Redis loses two jobs (a restart without persistence).
    await (await queue.getJob(lost.id))!.remove();
    await (await queue.getJob(cancelled.id))?.remove();
    expect(await queue.getJobState(lost.id)).toBe('unknown');

    expect(await reconcileQueue(repos.experiments, queue)).toBe(1);
    await relay.flush();
    expect(await queue.getJobState(lost.id)).not.toBe('unknown');
    expect(await queue.getJobState(kept.id)).not.toBe('unknown');
    expect(await queue.getJobState(cancelled.id)).toBe('unknown');
    // A second pass finds nothing missing.
    expect(await reconcileQueue(repos.experiments, queue)).toBe(0);
    await relay.stop();
  });
});

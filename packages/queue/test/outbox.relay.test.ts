// The outbox relay against the real Postgres and Redis: every caller of flush() finds its own entry
// queued when its flush resolves, and callers arriving while a pass runs share one following pass
// instead of queueing one pass each behind it (50 concurrent submissions used to wait for 50).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '@resnet-lab/db';
import { ExperimentSpec, specHash } from '@resnet-lab/spec';
import { createTestQueuePrefix, useTestRepositories, type TestQueuePrefix } from '@resnet-lab/testing';
import { createTrainQueue, startOutboxRelay, type TrainQueue } from '../src/index';

const fixture = useTestRepositories();
let prefix: TestQueuePrefix;
let queue: TrainQueue;

beforeAll(async () => {
  prefix = await createTestQueuePrefix();
  queue = createTrainQueue(prefix.redis, prefix.prefix);
});

afterAll(async () => {
  await queue.close();
  await prefix.cleanup();
});

/** The repository, counting the drains (one transaction each) the relay makes. */
function counting(outbox: Repositories['outbox']) {
  const counted = {
    ...outbox,
    drains: 0,
    drain: (...args: Parameters<Repositories['outbox']['drain']>) => {
      counted.drains++;
      return outbox.drain(...args);
    },
  };
  return counted;
}

describe('outbox relay', () => {
  it('has each of 50 concurrent submitters find its own job queued when its flush resolves', async () => {
    const relay = startOutboxRelay(fixture.repos.outbox, queue, { intervalMs: 60_000, onError: () => {} });
    const spec = ExperimentSpec.parse({});
    const missing: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const experiment = await fixture.repos.experiments.createWithOutbox(spec, specHash(spec));
        await relay.flush();
        if (!(await queue.getJob(experiment.id))) missing.push(experiment.id);
      }),
    );
    await relay.stop();
    expect(missing).toEqual([]);
    expect(await fixture.repos.outbox.count()).toBe(0);
  });

  it('serves callers that arrive during a pass with one following pass, not one pass each', async () => {
    const outbox = counting(fixture.repos.outbox);
    const relay = startOutboxRelay(outbox, queue, { intervalMs: 60_000, onError: () => {} });
    const spec = ExperimentSpec.parse({});
    for (let i = 0; i < 50; i++) await fixture.repos.experiments.createWithOutbox(spec, specHash(spec));
    const flushes = Array.from({ length: 50 }, () => relay.flush());
    // Stopping waits for the following pass too, not only the one under way.
    await relay.stop();
    expect(outbox.drains).toBe(3);
    const sent = await Promise.all(flushes);
    expect(await fixture.repos.outbox.count()).toBe(0);
    expect(sent.reduce((a, b) => Math.max(a, b), 0)).toBe(50);
    // The first pass: a drain of all 50, a drain finding none; the shared following pass: one more.
    // One pass per caller would be 51 drains.
    expect(outbox.drains).toBe(3);
  });
});

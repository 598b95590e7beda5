import { createLogger } from '@resnet-lab/logger';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories, waitFor } from '@resnet-lab/testing';
import { describe, expect, it } from 'vitest';
import { processTrainJob, type TrainJobContext } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * Fencing with the real trainer child and the real Postgres: an attempt loses its lease mid-run
 * (another worker claimed the experiment, as after a lost BullMQ lock) while the new attempt
 * trains. The old attempt must stop without writing anything more, and the result must be that of
 * one undisturbed run: one metric row per epoch and split, every row written by the new attempt.
 */
const fixture = useTestRepositories();

function context(workerName: string): TrainJobContext {
  return {
    logger: createLogger({ name: workerName, level: 'silent' }),
    signal: new AbortController().signal,
    repos: fixture.repos,
    workerName,
    isLastAttempt: false,
    cancelPollMs: 200,
    slotEnv: { TRAINER_THREADS: '1' },
    backend: 'cpu',
    startTrainer,
  };
}

describe('a superseded attempt', () => {
  it('stops and writes nothing once another attempt holds the lease; the run ends as one clean run', async () => {
    const spec = ExperimentSpec.parse({
      ...TINY_SPEC,
      dataset: { ...TINY_SPEC.dataset, trainSize: 512 },
      training: { ...TINY_SPEC.training, epochs: 4, seed: 5 },
    });
    const experiment = await fixture.repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash);
    const id = experiment.id;

    const first = processTrainJob({ experimentId: id }, context('old-worker'));
    await waitFor(async () => ((await fixture.repos.metrics.list(id)).length > 0 ? true : undefined), {
      timeoutMs: 180_000,
      what: 'the first attempt to record an epoch',
    });
    // The redelivered job: a second worker claims the running experiment, taking a new lease.
    const second = processTrainJob({ experimentId: id }, context('new-worker'));
    expect(await first).toBe('superseded');
    expect(await second).toBe('succeeded');

    const done = (await fixture.repos.experiments.get(id))!;
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, worker: 'new-worker' });
    const rows = await fixture.database.db.metric.findMany({ where: { experimentId: id } });
    const keys = rows.map((r) => `${r.epoch}/${r.split}/${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const epoch of [1, 2, 3, 4]) {
      expect(keys).toContain(`${epoch}/train/error`);
      expect(keys).toContain(`${epoch}/validation/error`);
    }
    // Rows the new attempt replayed or trained carry its lease; the old one wrote nothing after it.
    const byEpoch = new Map(rows.filter((r) => r.name === 'error').map((r) => [r.epoch, r.lease]));
    expect(Math.max(...byEpoch.values())).toBe(2);
    for (const [epoch, lease] of byEpoch) if (lease === 1) expect(epoch).toBeLessThanOrEqual(1);
    const checkpoints = await fixture.repos.checkpoints.list(id);
    expect(checkpoints.map((c) => c.epoch)).toContain(4);
    const newest = await fixture.repos.checkpoints.read(id, 4);
    expect(newest?.bytes.length).toBeGreaterThan(0);
  });
});

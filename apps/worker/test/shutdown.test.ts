import { createLogger } from '@resnet-lab/logger';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories } from '@resnet-lab/testing';
import { describe, expect, it } from 'vitest';
import { processTrainJob, WorkerShutdownError } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * A worker told to stop while BullMQ was still handing it a job: the shutdown signal has fired
 * before the job's trainer starts. The trainer must be stopped all the same and the experiment go
 * back to the queue; it once trained on until the process manager killed the worker.
 */
const fixture = useTestRepositories();

describe('a job that starts after the worker began shutting down', () => {
  it('stops its trainer at once and hands the experiment back to the queue', async () => {
    const spec = ExperimentSpec.parse({ ...TINY_SPEC, training: { ...TINY_SPEC.training, epochs: 500 } });
    const experiment = await fixture.repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash);
    const shutdown = new AbortController();
    shutdown.abort();

    const outcome = processTrainJob(
      { experimentId: experiment.id },
      {
        logger: createLogger({ name: 'shutdown', level: 'silent' }),
        signal: shutdown.signal,
        repos: fixture.repos,
        workerName: 'shutdown',
        isLastAttempt: false,
        cancelPollMs: 200,
        slotEnv: { TRAINER_THREADS: '1' },
        backend: 'cpu',
        startTrainer,
      },
    );
    // 500 epochs would take many minutes; an aborted trainer ends within its first batch.
    await expect(outcome).rejects.toBeInstanceOf(WorkerShutdownError);
    const after = (await fixture.repos.experiments.get(experiment.id))!;
    expect(after.status).toBe('queued');
    expect(await fixture.repos.metrics.list(experiment.id)).toEqual([]);
  }, 120_000);
});

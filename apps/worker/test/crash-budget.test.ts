import { execFileSync } from 'node:child_process';
import { repositories, type Repositories } from '@resnet-lab/db';
import { createLogger } from '@resnet-lab/logger';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { createTestDatabase, TINY_SPEC, waitFor, type TestDatabase } from '@resnet-lab/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTrainJob, ProgressedCrashError, type TrainJobContext } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * The attempt budget stops crash loops, not runs that keep moving: a trainer killed (SIGKILL, as by
 * the OOM killer) after it checkpointed new epochs is put back without spending an attempt, even
 * on the job's last one; killed before any new checkpoint on the last attempt, the experiment
 * fails. Real trainer child, real PostgreSQL.
 */
let database: TestDatabase;
let repos: Repositories;

beforeAll(async () => {
  database = await createTestDatabase();
  repos = repositories(database.db);
});

afterAll(async () => {
  await database?.drop();
});

const lastAttempt: TrainJobContext = {
  logger: createLogger({ name: 'crash-budget', level: 'silent' }),
  signal: new AbortController().signal,
  get repos() {
    return repos;
  },
  workerName: 'crash-budget',
  isLastAttempt: true,
  cancelPollMs: 200,
  slotEnv: { TRAINER_THREADS: '1' },
  backend: 'cpu',
  startTrainer,
};

/** SIGKILL to the trainer child(ren) this test process forked, once there is one. */
async function killTrainers(): Promise<number> {
  const children = () => {
    try {
      return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  };
  const pids = await waitFor(
    async () => {
      const found = children();
      return found.length ? found : undefined;
    },
    { timeoutMs: 60_000, what: 'a trainer child' },
  );
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  return pids.length;
}

async function newExperiment(seed: number): Promise<string> {
  const spec = ExperimentSpec.parse({
    ...TINY_SPEC,
    dataset: { ...TINY_SPEC.dataset, trainSize: 512 },
    training: { ...TINY_SPEC.training, epochs: 30, seed },
  });
  return (await repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash)).id;
}

describe('the attempt budget', () => {
  it('is not spent by a crash after new checkpoints, even on the last attempt', async () => {
    const id = await newExperiment(1);
    const attempt = processTrainJob({ experimentId: id }, lastAttempt);
    await waitFor(async () => ((await repos.checkpoints.latest(id)) ? true : undefined), {
      timeoutMs: 180_000,
      what: 'a first checkpoint',
    });
    expect(await killTrainers()).toBeGreaterThan(0);
    await expect(attempt).rejects.toBeInstanceOf(ProgressedCrashError);
    expect(await repos.experiments.get(id)).toMatchObject({ status: 'queued' });
  });

  it('is spent by a crash before any new checkpoint: on the last attempt the experiment fails', async () => {
    const id = await newExperiment(2);
    const attempt = processTrainJob({ experimentId: id }, lastAttempt);
    expect(await killTrainers()).toBeGreaterThan(0);
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ProgressedCrashError);
    expect(await repos.experiments.get(id)).toMatchObject({ status: 'failed' });
  });
});

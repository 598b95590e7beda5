import { execFileSync } from 'node:child_process';
import { createLogger } from '@resnet-lab/logger';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories, waitFor } from '@resnet-lab/testing';
import { describe, expect, it } from 'vitest';
import { HandBackError, MAX_CLAIMS_FOR_KILLS, processTrainJob, type TrainJobContext } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * The attempt budget stops crash loops, not runs that keep moving or that something outside kills:
 * on the job's last attempt, a trainer that crashes (SIGABRT, as a native bug would) after it
 * checkpointed new epochs is handed back without spending an attempt, one that crashes before
 * fails the experiment, and one killed from outside (SIGKILL: the OOM killer, an operator) is
 * handed back until the experiment has been claimed MAX_CLAIMS_FOR_KILLS times. Real trainer
 * child, real PostgreSQL.
 */
const fixture = useTestRepositories();

const lastAttempt: TrainJobContext = {
  logger: createLogger({ name: 'crash-budget', level: 'silent' }),
  signal: new AbortController().signal,
  get repos() {
    return fixture.repos;
  },
  workerName: 'crash-budget',
  isLastAttempt: true,
  cancelPollMs: 200,
  slotEnv: { TRAINER_THREADS: '1' },
  backend: 'cpu',
  startTrainer,
};

/** `signal` to the trainer child(ren) this test process forked, once there is one. */
async function killTrainers(signal: NodeJS.Signals): Promise<number> {
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
  for (const pid of pids) process.kill(Number(pid), signal);
  return pids.length;
}

async function newExperiment(seed: number): Promise<string> {
  const spec = ExperimentSpec.parse({
    ...TINY_SPEC,
    dataset: { ...TINY_SPEC.dataset, trainSize: 512 },
    training: { ...TINY_SPEC.training, epochs: 30, seed },
  });
  return (await fixture.repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash)).id;
}

/** The attempt's rejection (it must reject). */
const rejection = (attempt: Promise<unknown>) =>
  attempt.then(
    () => {
      throw new Error('the attempt succeeded');
    },
    (error: unknown) => error,
  );

describe('the attempt budget', () => {
  it('is not spent by a crash after new checkpoints', async () => {
    const id = await newExperiment(1);
    const attempt = processTrainJob({ experimentId: id }, lastAttempt);
    await waitFor(async () => ((await fixture.repos.checkpoints.latest(id)) ? true : undefined), {
      timeoutMs: 180_000,
      what: 'a first checkpoint',
    });
    expect(await killTrainers('SIGABRT')).toBeGreaterThan(0);
    const error = await rejection(attempt);
    expect(error).toBeInstanceOf(HandBackError);
    expect((error as HandBackError).delayMs).toBe(2_000);
    expect(await fixture.repos.experiments.get(id)).toMatchObject({ status: 'queued' });
  });

  it('is spent by a crash before any new checkpoint: on the last attempt the experiment fails', async () => {
    const id = await newExperiment(2);
    const attempt = processTrainJob({ experimentId: id }, lastAttempt);
    expect(await killTrainers('SIGABRT')).toBeGreaterThan(0);
    const error = await rejection(attempt);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HandBackError);
    expect(await fixture.repos.experiments.get(id)).toMatchObject({ status: 'failed' });
  });

  it('is not spent by a kill from outside, until the experiment was claimed too often', async () => {
    const id = await newExperiment(3);
    const killed = processTrainJob({ experimentId: id }, lastAttempt);
    expect(await killTrainers('SIGKILL')).toBeGreaterThan(0);
    const error = await rejection(killed);
    expect(error).toBeInstanceOf(HandBackError);
    expect(await fixture.repos.experiments.get(id)).toMatchObject({ status: 'queued', attempts: 1 });

    // A kill loop: at the last claim kills may hand back, the next kill spends the attempt.
    await fixture.database.db.experiment.update({ where: { id }, data: { attempts: MAX_CLAIMS_FOR_KILLS - 1 } });
    const looping = processTrainJob({ experimentId: id }, lastAttempt);
    expect(await killTrainers('SIGKILL')).toBeGreaterThan(0);
    expect(await rejection(looping)).not.toBeInstanceOf(HandBackError);
    expect(await fixture.repos.experiments.get(id)).toMatchObject({ status: 'failed', attempts: MAX_CLAIMS_FOR_KILLS });
  });
});

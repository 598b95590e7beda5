import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@resnet-lab/logger';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories } from '@resnet-lab/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { PermanentJobError, processTrainJob, type TrainJobContext } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * The worker's side of DATASET_ROOTS: a directory the API let through (lexically under a root) that
 * is a symlink out of it fails the job permanently, with a message naming the directory and the
 * roots and nothing of what lies behind the link. Real trainer child, real PostgreSQL.
 */
const fixture = useTestRepositories();

const base = mkdtempSync(join(tmpdir(), 'worker-dataset-roots-'));
const root = join(base, 'datasets');
const outside = join(base, 'private');
mkdirSync(root);
mkdirSync(outside);
// An IDX images header (magic 0x00000803) then bytes that must never show up in an error.
writeFileSync(join(outside, 'train-images-idx3-ubyte'), Buffer.from('\0\0\x08\x03PRIVATE-CONTENT', 'latin1'));
symlinkSync(outside, join(root, 'escape'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const context: TrainJobContext = {
  logger: createLogger({ name: 'dataset-roots', level: 'silent' }),
  signal: new AbortController().signal,
  get repos() {
    return fixture.repos;
  },
  workerName: 'dataset-roots',
  // Not the last attempt: a retryable failure would go back to the queue, a permanent one fails now.
  isLastAttempt: false,
  cancelPollMs: 200,
  slotEnv: { TRAINER_THREADS: '1' },
  backend: 'cpu',
  datasetAccess: { roots: [root], maxFileBytes: 2 ** 20 },
  startTrainer,
};

describe('dataset roots on the worker', () => {
  it('fails a job whose dataset directory is a symlink out of the roots, permanently', async () => {
    const spec = ExperimentSpec.parse({
      ...TINY_SPEC,
      dataset: { name: 'idx', dir: join(root, 'escape'), height: 8, width: 8, classes: 4 },
    });
    const { id } = await fixture.repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash);
    const error = await processTrainJob({ experimentId: id }, context).then(
      () => new Error('the attempt succeeded'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(PermanentJobError);
    const dir = join(root, 'escape');
    const message = `dataset directory ${dir} resolves outside the dataset roots (DATASET_ROOTS=${root})`;
    expect(error.message).toBe(message);
    const stored = await fixture.repos.experiments.get(id);
    expect(stored).toMatchObject({ status: 'failed', error: message });
    expect(JSON.stringify(stored)).not.toContain('PRIVATE');
  }, 120_000);
});

import { createLogger } from '@resnet-lab/logger';
import { ExperimentSpec, InitReport, resolveExperiment, type ExperimentSpecInput } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories } from '@resnet-lab/testing';
import { describe, expect, it } from 'vitest';
import { PermanentJobError, processTrainJob, type TrainJobContext } from '../src/train.processor';
import { startTrainer } from '../src/trainer-process';

/**
 * A warm start through a real attempt: the worker reads the source experiment's checkpoint from
 * PostgreSQL, the trainer child loads it, and what was loaded, skipped and frozen lands on the
 * experiment. A source without the checkpoint asked for fails the experiment, saying so.
 */
const fixture = useTestRepositories();

const context = (): TrainJobContext => ({
  logger: createLogger({ name: 'warm-start', level: 'silent' }),
  signal: new AbortController().signal,
  repos: fixture.repos,
  workerName: 'warm-start',
  isLastAttempt: true,
  cancelPollMs: 200,
  slotEnv: { OMP_NUM_THREADS: '1' },
  backend: 'cpu',
  startTrainer,
});

async function run(input: ExperimentSpecInput) {
  const spec = ExperimentSpec.parse(input);
  const { id } = await fixture.repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash);
  const outcome = await processTrainJob({ experimentId: id }, context()).catch((e: unknown) => e as Error);
  return { id, outcome, stored: await fixture.repos.experiments.get(id) };
}

describe('warm start on the worker', () => {
  it("starts from the source's checkpoint and records what it loaded, skipped and froze", async () => {
    const source = await run(TINY_SPEC);
    expect(source.outcome).toBe('succeeded');
    // Its last epoch's per-image test scores were kept for ensembles: all 32 test images.
    const [scores] = await fixture.repos.testScores.of([source.id]);
    expect(scores).toMatchObject({ experimentId: source.id, epoch: 2, classes: 4 });
    expect(scores!.labels).toHaveLength(32);
    const child = await run({
      ...TINY_SPEC,
      dataset: { ...TINY_SPEC.dataset, classes: 3 },
      init: { from: { experiment: source.id, epoch: 'best' }, freeze: 'all-but-head' },
    });
    expect(child.outcome).toBe('succeeded');
    const report = InitReport.parse(child.stored?.initReport);
    const best = (await fixture.repos.checkpoints.list(source.id))
      .filter((c) => c.validationError !== null)
      .reduce((a, b) => (b.validationError! < a.validationError! ? b : a));
    expect(report.source).toEqual({ experiment: source.id, epoch: best.epoch });
    expect(report.skipped.map((s) => s.name)).toEqual(['logits/kernel', 'logits/bias']);
    expect(report.loaded.length).toBeGreaterThan(10);
    expect(report.frozen).toContain('stem_conv');
    expect(report.frozen).not.toContain('logits');
  });

  it('fails the experiment when the source has no checkpoint at the epoch asked for', async () => {
    const source = await run(TINY_SPEC);
    const child = await run({ ...TINY_SPEC, init: { from: { experiment: source.id, epoch: 7 } } });
    const message = `warm start: experiment ${source.id} has no checkpoint at epoch 7 to start from`;
    expect(child.outcome).toBeInstanceOf(PermanentJobError);
    expect((child.outcome as Error).message).toBe(message);
    expect(child.stored).toMatchObject({ status: 'failed', error: message });
  });

  it('fails the experiment, without retrying, when the checkpoint asked for is damaged', async () => {
    const source = await run(TINY_SPEC);
    const epoch = (await fixture.repos.checkpoints.list(source.id))[0]!.epoch;
    await fixture.database.db.$executeRaw`
      UPDATE "CheckpointChunk" c SET bytes = set_byte(c.bytes, 10, (get_byte(c.bytes, 10) + 1) % 256)
      FROM "Checkpoint" k
      WHERE c."checkpointId" = k.id AND k."experimentId" = ${source.id}::uuid AND k.epoch = ${epoch}`;
    const child = await run({ ...TINY_SPEC, init: { from: { experiment: source.id, epoch } } });
    expect(child.outcome).toBeInstanceOf(PermanentJobError);
    expect((child.outcome as Error).message).toMatch(
      new RegExp(`^warm start: experiment ${source.id}'s checkpoint at epoch ${epoch} is damaged \\(.*sha256`),
    );
    expect(child.stored).toMatchObject({ status: 'failed' });
  });
});

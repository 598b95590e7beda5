import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ExperimentSpec, type TrainerEvent, resolveExperiment } from '@resnet-lab/spec';
import { runTraining, TrainingError } from './index';

const tiny = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 64, testSize: 16, validationSplit: 16 },
};

describe('runTraining failures and abort', () => {
  it('fails with a non-retryable TrainingError naming NaN/infinite loss when training diverges', async () => {
    // Coupled decay at lr 10 and decay 1 multiplies every weight by -9 per step: the logits overflow.
    const spec = ExperimentSpec.parse({
      ...tiny,
      training: { epochs: 50, batchSize: 16, learningRate: 10, weightDecay: 1, momentum: 0.9 },
    });
    const events: TrainerEvent[] = [];
    const run = runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      onEvent: (e) => events.push(e),
      backend: 'cpu',
    });
    await expect(run).rejects.toBeInstanceOf(TrainingError);
    const err = (await run.catch((e: unknown) => e)) as TrainingError;
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/training loss is (NaN|infinite) at epoch \d+, step \d+ .*diverged/);
  });

  it('stops at the next batch boundary after an abort and resolves aborted, promptly', async () => {
    const spec = ExperimentSpec.parse({ ...tiny, training: { epochs: 100, batchSize: 8, logEverySteps: 1 } });
    const controller = new AbortController();
    const events: TrainerEvent[] = [];
    const result = await runTraining({
      experiment: resolveExperiment(spec),
      signal: controller.signal,
      backend: 'cpu',
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'progress' && e.epoch === 1 && e.step === 2) {
          // Abort from another macrotask, as an IPC message would arrive.
          setImmediate(() => controller.abort());
        }
      },
    });
    expect(result).toEqual({ status: 'aborted', backend: 'cpu' });
    expect(events.filter((e) => e.type === 'epoch')).toEqual([]);
    // At most one more step ran after the abort (a count, not a wall-clock bound: the box is shared).
    expect(events.filter((e) => e.type === 'progress').length).toBeLessThanOrEqual(3);
  });

  it('resolves aborted without training when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runTraining({
      experiment: resolveExperiment(ExperimentSpec.parse(tiny)),
      signal: controller.signal,
      backend: 'cpu',
      onEvent: () => {},
    });
    expect(result.status).toBe('aborted');
  });

  it('fails with TrainingError naming the path when the data directory is wrong', async () => {
    const spec = ExperimentSpec.parse({ ...tiny, dataset: { name: 'cifar10', dir: '/nonexistent/cifar' } });
    const run = runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      backend: 'cpu',
      // Inside the roots, so that what fails is the missing directory, not the fence around it.
      datasetAccess: { roots: ['/nonexistent'], maxFileBytes: 2 ** 20 },
      onEvent: () => {},
    });
    await expect(run).rejects.toThrow(TrainingError);
    await expect(run).rejects.toThrow(/dataset directory \/nonexistent\/cifar not found/);
  });

  it('leaves no tensors behind', async () => {
    const spec = ExperimentSpec.parse({ ...tiny, training: { epochs: 1, batchSize: 16 } });
    await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      backend: 'cpu',
      onEvent: () => {},
    });
    const before = tf.memory().numTensors;
    await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      backend: 'cpu',
      onEvent: () => {},
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('resuming a foreign checkpoint', () => {
  it('fails with a non-retryable TrainingError when the checkpoint belongs to another architecture', async () => {
    const spec = ExperimentSpec.parse({ ...tiny, training: { epochs: 1, batchSize: 16 } });
    let bytes: Uint8Array | undefined;
    await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      backend: 'cpu',
      onEvent: (e) => {
        if (e.type === 'epoch') bytes = e.checkpoint!.bytes;
      },
    });
    const deeper = ExperimentSpec.parse({
      ...tiny,
      architecture: { ...tiny.architecture, depth: 14 },
      training: { epochs: 2 },
    });
    const run = runTraining({
      experiment: resolveExperiment(deeper),
      signal: new AbortController().signal,
      backend: 'cpu',
      onEvent: () => {},
      resume: { bytes: bytes! },
    });
    await expect(run).rejects.toMatchObject({
      name: 'TrainingError',
      retryable: false,
      message: expect.stringMatching(/checkpoint (has|weight)/),
    });
  });
});

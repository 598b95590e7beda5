import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentSpec, TrainerEvent, resolveExperiment } from '@resnet-lab/spec';
import { runTraining, STEP_PHASES, StepProfiler } from './index';

describe('runTraining', () => {
  it('trains a tiny CIFAR ResNet on synthetic data and emits started, progress and epoch events', async () => {
    const spec = ExperimentSpec.parse({
      architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
      dataset: { name: 'synthetic' },
      training: { epochs: 2, batchSize: 32, learningRate: 0.05, logEverySteps: 2 },
    });
    const events: TrainerEvent[] = [];
    const result = await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      onEvent: (e) => events.push(TrainerEvent.parse(e)),
      backend: 'cpu',
    });
    expect(result).toEqual({ status: 'completed', backend: 'cpu' });
    expect(events[0]).toMatchObject({ type: 'started', backend: 'cpu' });
    const progress = events.filter((e) => e.type === 'progress');
    // 192 training images (256 minus the 25% validation hold-out) / 32 = 6 steps, logged every 2.
    expect(progress.map((e) => [e.epoch, e.step, e.stepsPerEpoch])).toEqual([
      [1, 2, 6],
      [1, 4, 6],
      [1, 6, 6],
      [2, 2, 6],
      [2, 4, 6],
      [2, 6, 6],
    ]);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) {
      const names = e.metrics.map((m) => `${m.split}/${m.name}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'train/loss',
          'train/error',
          'train/learning_rate',
          'train/epoch_seconds',
          'train/images_per_second',
          'validation/loss',
          'validation/error',
          'validation/images_per_second',
        ]),
      );
      const speed = e.metrics.find((m) => m.split === 'validation' && m.name === 'images_per_second')!.value;
      expect(speed).toBeGreaterThan(0);
      expect(Number.isFinite(speed)).toBe(true);
      expect(e.checkpoint?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // Test metrics only after the last epoch by default.
    expect(epochs[0]!.metrics.some((m) => m.split === 'test')).toBe(false);
    expect(epochs[1]!.metrics.some((m) => m.split === 'test')).toBe(true);
    const value = (e: (typeof epochs)[number], split: string, name: string) =>
      e.metrics.find((m) => m.split === split && m.name === name)!.value;
    // Four classes: chance is 75% error. The synthetic set is easy; two epochs get well below it.
    expect(value(epochs[1]!, 'validation', 'error')).toBeLessThan(0.3);
  });

  it('leaves out the last, incomplete batch with dropLastBatch, and the schedule counts the same steps', async () => {
    // 192 training images in batches of 40: four full batches, the last 32 images left out.
    const spec = ExperimentSpec.parse({
      architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
      dataset: { name: 'synthetic' },
      training: {
        epochs: 2,
        batchSize: 40,
        logEverySteps: 1,
        dropLastBatch: true,
        schedule: { type: 'step', milestones: [1], gamma: 0.5 },
        evaluateTest: 'never',
      },
    });
    const events: TrainerEvent[] = [];
    await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      onEvent: (e) => events.push(TrainerEvent.parse(e)),
      backend: 'cpu',
    });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => [e.epoch, e.step, e.stepsPerEpoch])).toEqual([
      [1, 1, 4],
      [1, 2, 4],
      [1, 3, 4],
      [1, 4, 4],
      [2, 1, 4],
      [2, 2, 4],
      [2, 3, 4],
      [2, 4, 4],
    ]);
    // The milestone at epoch 1 falls on the fifth iteration, the first of epoch 2.
    const rates = events.flatMap((e) =>
      e.type === 'epoch' ? e.metrics.filter((m) => m.name === 'learning_rate').map((m) => m.value) : [],
    );
    expect(rates).toEqual([0.1, 0.05]);
  });
});

describe('runTraining on CIFAR-10 binary batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cifar-train-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains from files in the official format, with augmentation, and validates on the held-out images', async () => {
    // 6 random records per file; the content does not matter here, the path through the loader does.
    let state = 1;
    const byte = () => (state = (state * 1103515245 + 12345) % 2 ** 31) % 256;
    const batch = () =>
      Buffer.from(Array.from({ length: 6 * 3073 }, (_, i) => (i % 3073 === 0 ? byte() % 10 : byte())));
    for (const f of [
      'data_batch_1.bin',
      'data_batch_2.bin',
      'data_batch_3.bin',
      'data_batch_4.bin',
      'data_batch_5.bin',
      'test_batch.bin',
    ]) {
      writeFileSync(join(dir, f), batch());
    }
    const spec = ExperimentSpec.parse({
      architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
      dataset: { name: 'cifar10', dir, validationSplit: 6 },
      training: { epochs: 1, batchSize: 8 },
    });
    expect(spec.dataset.augment).toBe(true);
    const events: TrainerEvent[] = [];
    const result = await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      backend: 'cpu',
      datasetAccess: { roots: [dir], maxFileBytes: 2 ** 20 },
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('completed');
    const epoch = events.find((e) => e.type === 'epoch');
    if (epoch?.type !== 'epoch') throw new Error('no epoch event');
    // 30 training images - 6 held out = 24 = 3 steps of 8.
    expect(events.filter((e) => e.type === 'progress').map((e) => e.type === 'progress' && e.stepsPerEpoch)).toEqual([
      3,
    ]);
    expect(epoch.metrics.find((m) => m.split === 'validation' && m.name === 'error')).toBeDefined();
  });
});

describe('runTraining with a step profiler', () => {
  it('charges every training step to its phases, within the epoch time it reports', async () => {
    const spec = ExperimentSpec.parse({
      architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
      dataset: { name: 'synthetic' },
      training: { epochs: 2, batchSize: 32, learningRate: 0.05 },
    });
    const profiler = new StepProfiler();
    const epochSeconds: number[] = [];
    await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      backend: 'cpu',
      profiler,
      onEvent: (e) => {
        if (e.type === 'epoch') epochSeconds.push(e.metrics.find((m) => m.name === 'epoch_seconds')!.value);
      },
    });
    // 192 training images per epoch at batch 32: 6 steps, twice.
    expect(profiler.steps).toBe(12);
    expect(profiler.images).toBe(384);
    const { phases, totalMs } = profiler.perStep();
    expect(Object.keys(phases)).toEqual([...STEP_PHASES]);
    expect(phases.forward).toBeGreaterThan(0);
    expect(phases.backward).toBeGreaterThan(0);
    // The phases are a part of each epoch (which also evaluates): never more than the epochs took.
    expect(totalMs * profiler.steps).toBeLessThanOrEqual(1000 * epochSeconds.reduce((a, b) => a + b, 0));
    profiler.reset();
    expect(profiler.steps).toBe(0);
    expect(profiler.perStep().totalMs).toBe(0);
  });
});

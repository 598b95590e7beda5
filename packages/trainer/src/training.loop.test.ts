import { describe, expect, it } from 'vitest';
import { ExperimentSpec, TrainerEvent } from '@resnet-lab/spec';
import { runTraining } from './index';

describe('runTraining', () => {
  it('trains a tiny CIFAR ResNet on synthetic data and emits started, progress and epoch events', async () => {
    const spec = ExperimentSpec.parse({
      architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
      dataset: { name: 'synthetic' },
      training: { epochs: 2, batchSize: 32, learningRate: 0.05, logEverySteps: 2 },
    });
    const events: TrainerEvent[] = [];
    const result = await runTraining({
      spec,
      signal: new AbortController().signal,
      onEvent: (e) => events.push(TrainerEvent.parse(e)),
      backend: 'cpu',
    });
    expect(result).toEqual({ status: 'completed', backend: 'cpu' });
    expect(events[0]).toMatchObject({ type: 'started', backend: 'cpu' });
    const progress = events.filter((e) => e.type === 'progress');
    // 192 training images (256 minus the 25% validation hold-out) / 32 = 6 steps, logged every 2.
    expect(progress.map((e) => [e.epoch, e.step, e.stepsPerEpoch])).toEqual([
      [1, 2, 6], [1, 4, 6], [1, 6, 6], [2, 2, 6], [2, 4, 6], [2, 6, 6],
    ]);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) {
      const names = e.metrics.map((m) => `${m.split}/${m.name}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'train/loss', 'train/error', 'train/learning_rate', 'train/epoch_seconds', 'train/images_per_second',
          'validation/loss', 'validation/error',
        ]),
      );
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
});

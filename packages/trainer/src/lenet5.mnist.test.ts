import { describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment, type TrainerEvent } from '@resnet-lab/spec';
import { runTraining } from './index';

describe('LeNet-5 on real MNIST', () => {
  // The fastest backend that loads (oneDNN where the engine is built: ~25 s; tfjs `cpu` alone
  // trains LeNet-5 at ~20 images/s, ~3 minutes for this test).
  it('learns: above 90% validation accuracy from 2000 training images in 2 epochs', async () => {
    const spec = ExperimentSpec.parse({
      architecture: { family: 'lenet5', depth: 5 },
      dataset: { name: 'mnist', subset: 2000, validationSplit: 1000 },
      training: { epochs: 2, batchSize: 32, learningRate: 0.05, schedule: { type: 'cosine' }, evaluateTest: 'never' },
    });
    const epochs: Extract<TrainerEvent, { type: 'epoch' }>[] = [];
    const result = await runTraining({
      experiment: resolveExperiment(spec),
      signal: new AbortController().signal,
      onEvent: (e) => {
        if (e.type === 'epoch') epochs.push(e);
      },
    });
    expect(result.status).toBe('completed');
    const last = epochs.at(-1)!.metrics;
    const validationError = last.find((m) => m.split === 'validation' && m.name === 'error')!.value;
    const throughput = last.find((m) => m.name === 'images_per_second')!.value;
    console.info(
      `LeNet-5 on ${result.backend}: validation error ${validationError}, ${throughput.toFixed(1)} images/s`,
    );
    expect(validationError).toBeLessThan(0.1);
  }, 400_000);
});

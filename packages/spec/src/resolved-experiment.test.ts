import { describe, expect, it } from 'vitest';
import { ExperimentSpec } from './experiment';
import { resolveExperiment, ResolvedExperiment } from './resolved-experiment';
import { specHash } from './experiment';

const resolve = (input: unknown) => resolveExperiment(ExperimentSpec.parse(input));

describe('resolveExperiment', () => {
  it('fills input size, channels and classes from the dataset when the architecture leaves them open', () => {
    const a = resolve({ architecture: { family: 'lenet5', depth: 5 }, dataset: { name: 'mnist' } }).architecture;
    expect([a.inputSize, a.inputChannels, a.numClasses]).toEqual([28, 1, 10]);
    const s = resolve({ dataset: { name: 'synthetic', imageSize: 12, channels: 1, classes: 20 } }).architecture;
    expect([s.inputSize, s.inputChannels, s.numClasses]).toEqual([12, 1, 20]);
  });

  it('gives a non-square dataset a network of its larger side (the cost and the trainer agree)', () => {
    const r = resolve({
      architecture: { family: 'cifar-resnet', depth: 8 },
      dataset: { name: 'idx', dir: '/data', height: 20, width: 36, channels: 1, classes: 10 },
    });
    expect(r.architecture.inputSize).toBe(36);
  });

  it('keeps explicit values (the loader then pads or resamples the images)', () => {
    const a = resolve({
      architecture: { family: 'lenet5', depth: 5, inputSize: 32 },
      dataset: { name: 'mnist' },
    }).architecture;
    expect([a.inputSize, a.inputChannels, a.numClasses]).toEqual([32, 1, 10]);
  });

  it('fills every training default and counts the images of each split', () => {
    const r = resolve({ dataset: { name: 'fashion-mnist', subset: 10_000, validationSplit: 2_000, testSubset: 500 } });
    expect(r.training.keepLastCheckpoints).toBeGreaterThan(0);
    expect(r.training.schedule).toEqual({ type: 'constant' });
    expect(r.images).toEqual({ train: 10_000, validation: 2_000, test: 500 });
    const unknown = resolve({ dataset: { name: 'idx', dir: '/data', validationSplit: 0.1 } });
    expect(unknown.images).toEqual({ train: null, validation: null, test: null });
  });

  it('carries the spec hash and survives the trip to the trainer child as its own schema', () => {
    const spec = ExperimentSpec.parse({ dataset: { name: 'synthetic' } });
    const r = resolveExperiment(spec);
    expect(r.hash).toBe(specHash(spec));
    expect(ResolvedExperiment.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });
});

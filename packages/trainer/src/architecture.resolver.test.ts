import { describe, expect, it } from 'vitest';
import { ExperimentSpec } from '@resnet-lab/spec';
import { resolveArchitecture } from './architecture.resolver';

describe('resolveArchitecture', () => {
  it('fills input size, channels and classes from the dataset when the architecture leaves them open', () => {
    const a = resolveArchitecture(
      ExperimentSpec.parse({ architecture: { family: 'lenet5', depth: 5 }, dataset: { name: 'mnist' } }),
    );
    expect([a.inputSize, a.inputChannels, a.numClasses]).toEqual([28, 1, 10]);
    const s = resolveArchitecture(
      ExperimentSpec.parse({ dataset: { name: 'synthetic', imageSize: 12, channels: 1, classes: 20 } }),
    );
    expect([s.inputSize, s.inputChannels, s.numClasses]).toEqual([12, 1, 20]);
  });

  it('keeps explicit values (the loader then pads or resamples the images)', () => {
    const a = resolveArchitecture(
      ExperimentSpec.parse({ architecture: { family: 'lenet5', depth: 5, inputSize: 32 }, dataset: { name: 'mnist' } }),
    );
    expect([a.inputSize, a.inputChannels, a.numClasses]).toEqual([32, 1, 10]);
  });
});

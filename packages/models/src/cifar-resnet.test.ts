import * as tf from '@tensorflow/tfjs';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, describeModel } from './index';
import { builtCounts, builtLayerParams, gradientStep } from './test-helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cifar-resnet / cifar-plain', () => {
  it.each([
    [20, 0.27e6],
    [32, 0.46e6],
    [44, 0.66e6],
    [56, 0.85e6],
    [110, 1.7e6],
  ])("ResNet-%i has the paper's %d parameters within 2%%", (depth, paper) => {
    const d = describeModel(ArchitectureSpec.parse({ family: 'cifar-resnet', depth }));
    expect(Math.abs(d.trainableParams / paper - 1)).toBeLessThan(0.02);
  });

  it('plain and option-A residual nets have identical weights', () => {
    const plain = describeModel(ArchitectureSpec.parse({ family: 'cifar-plain', depth: 32 }));
    const res = describeModel(ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 32, shortcut: 'A' }));
    expect(res.params).toBe(plain.params);
    expect(res.trainableParams).toBe(plain.trainableParams);
  });

  it('ResNet-20 built has exactly the described weights and layers', () => {
    const arch = ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 20 });
    const model = buildModel(arch);
    const d = describeModel(arch);
    expect(builtCounts(model)).toEqual({ params: d.params, trainableParams: d.trainableParams });
    expect(builtLayerParams(model)).toEqual(Object.fromEntries(d.layers.map((l) => [l.name, l.params])));
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  it.each(['cifar-resnet', 'cifar-plain'] as const)(
    '%s: forward shape, one gradient step, no leaked tensor',
    (family) => {
      const arch = ArchitectureSpec.parse({ family, depth: 8, widthMultiplier: 0.25, inputSize: 8, numClasses: 3 });
      const before = tf.memory().numTensors;
      const model = buildModel(arch, { seed: 1 });
      const afterBuild = tf.memory().numTensors;
      const y = tf.tidy(() => model.predict(tf.zeros([2, 8, 8, 3])) as tf.Tensor);
      expect(y.shape).toEqual([2, 3]);
      y.dispose();
      expect(Number.isFinite(gradientStep(model, 2))).toBe(true);
      expect(tf.memory().numTensors).toBe(afterBuild);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

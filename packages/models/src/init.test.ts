import * as tf from '@tensorflow/tfjs';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './index';
import { heNormal } from './layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function variance(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return sq / values.length;
}

// Training dynamics of deep residual nets depend on the initial weight scale (see layers.ts):
// tfjs' stock heNormal has 0.77 of the paper's variance and made ResNet-44 train unstably.
describe('He-normal initialisation', () => {
  it('draws weights of variance 2 / fan-in, as PyTorch kaiming_normal_ does', () => {
    // 3x3 kernel, 64 -> 64 channels: fan-in 576, 36,864 weights (relative sampling error of the
    // variance ≈ sqrt(2 / 36864) = 0.7%).
    const shape = [3, 3, 64, 64];
    const w = heNormal(7).apply(shape, 'float32');
    const v = variance(w.dataSync() as Float32Array);
    w.dispose();
    expect(v * 576).toBeGreaterThan(2 * 0.97);
    expect(v * 576).toBeLessThan(2 * 1.03);
  });

  it('is what every convolution of a built ResNet starts from', () => {
    const model = buildModel(ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 20, inputSize: 8 }), { seed: 3 });
    try {
      const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
      expect(convs.length).toBeGreaterThan(10);
      for (const conv of convs) {
        const kernel = conv.getWeights()[0]!;
        const [kh, kw, cin] = kernel.shape as [number, number, number, number];
        const ratio = variance(kernel.dataSync() as Float32Array) * kh * kw * cin;
        // Small layers (432 weights) sample the variance to within ~±20%; the stock truncated
        // initializer averages 0.77, so the mean over all layers is the sharp check below.
        expect(ratio, conv.name).toBeGreaterThan(0.7 * 2);
        expect(ratio, conv.name).toBeLessThan(1.3 * 2);
      }
      const mean =
        convs.reduce((s, c) => {
          const k = c.getWeights()[0]!;
          const [kh, kw, cin] = k.shape as [number, number, number, number];
          return s + variance(k.dataSync() as Float32Array) * kh * kw * cin;
        }, 0) / convs.length;
      expect(mean).toBeGreaterThan(2 * 0.93);
      expect(mean).toBeLessThan(2 * 1.07);
    } finally {
      model.dispose();
    }
  });
});

import * as tf from '@tensorflow/tfjs';
import { ArchitectureSpec, type ArchitectureSpecInput } from '@resnet-lab/spec';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph';
import { buildModel, describeModel } from './index';
import { graphToModel } from './build-model';
import { builtCounts, builtLayerParams, gradientStep } from './test-helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const describeSpec = (input: ArchitectureSpecInput) => describeModel(ArchitectureSpec.parse(input));

describe('paper-exact variants (batchNorm: false): parameter counts', () => {
  it.each([
    // torchvision's vgg11/13/16/19 (no batch norm), 224x224x3, 1000 classes.
    [11, 132_863_336],
    [13, 133_047_848],
    [16, 138_357_544],
    [19, 143_667_240],
  ])('VGG-%i as published has %i parameters', (depth, params) => {
    const d = describeSpec({ family: 'vgg', depth, batchNorm: false });
    expect(d.trainableParams).toBe(params);
    expect(d.layers.some((l) => l.type === 'batchNorm')).toBe(false);
  });

  it('AlexNet with its two groups and LRN: 60,965,224 parameters (Caffe bvlc_alexnet)', () => {
    const d = describeSpec({ family: 'alexnet', batchNorm: false });
    expect(d.trainableParams).toBe(60_965_224);
    expect(d.layers.filter((l) => l.type === 'lrn').map((l) => l.name)).toEqual(['c1_lrn', 'c2_lrn']);
    // conv2 as two 5x5 convs over 48 maps each, 128 filters each (with bias).
    const c2 = d.layers.filter((l) => /^c2_group\d_conv$/.test(l.name)).map((l) => l.params);
    expect(c2).toEqual([5 * 5 * 48 * 128 + 128, 5 * 5 * 48 * 128 + 128]);
  });

  it.each([0.2, 0.3, 0.55])('AlexNet with two groups builds at width multiplier %f (grouped widths stay even)', (m) => {
    const d = describeSpec({ family: 'alexnet', batchNorm: false, widthMultiplier: m });
    const halves = d.layers.filter((l) => /^c[245]_group\d_conv$/.test(l.name));
    expect(halves).toHaveLength(6);
    expect(d.trainableParams).toBeGreaterThan(0);
  });

  it('LeNet-5 as LeCun 1998 (tanh, no batch norm, 32x32x1): 61,706 parameters', () => {
    const d = describeSpec({ family: 'lenet5', batchNorm: false });
    expect(d.trainableParams).toBe(61_706);
    // The paper's "about 60,000": within 3% (C3 connects to every S2 map and the output is a dense
    // layer, where the paper used a partial connection table and RBF units).
    expect(Math.abs(d.trainableParams / 60_000 - 1)).toBeLessThan(0.03);
    expect(d.layers.filter((l) => l.type === 'tanh')).toHaveLength(4);
    expect(d.layers.some((l) => l.type === 'batchNorm' || l.type === 'relu')).toBe(false);
  });

  it('GoogLeNet without batch norm, with LRN: about 6.8M (Table 1), 7.0M counted exactly', () => {
    const d = describeSpec({ family: 'googlenet', batchNorm: false });
    expect(d.trainableParams).toBe(6_998_552);
    expect(Math.abs(d.trainableParams / 6.8e6 - 1)).toBeLessThan(0.04);
    expect(d.layers.filter((l) => l.type === 'lrn').map((l) => l.name)).toEqual(['stem1_lrn', 'stem3_lrn']);
    expect(d.layers.some((l) => l.type === 'batchNorm')).toBe(false);
  });

  it('leaves the default (batch-norm) networks exactly as they were', () => {
    expect(describeSpec({ family: 'vgg', depth: 16 }).trainableParams).toBe(138_361_768);
    expect(describeSpec({ family: 'vgg', depth: 16, batchNorm: true })).toEqual(
      describeSpec({ family: 'vgg', depth: 16 }),
    );
    expect(describeSpec({ family: 'alexnet' }).layers.some((l) => l.type === 'lrn')).toBe(false);
  });
});

describe('paper-exact variants: built models', () => {
  it.each<ArchitectureSpecInput>([
    { family: 'vgg', depth: 11, batchNorm: false, widthMultiplier: 0.125, inputSize: 32, numClasses: 10 },
    { family: 'alexnet', batchNorm: false, widthMultiplier: 0.125, inputSize: 67, numClasses: 10 },
    { family: 'alexnet', batchNorm: false, widthMultiplier: 0.125, inputSize: 32, numClasses: 10 },
    { family: 'lenet5', batchNorm: false, inputSize: 28, numClasses: 10 },
    { family: 'googlenet', batchNorm: false, widthMultiplier: 0.125, inputSize: 12, numClasses: 10, auxHeads: true },
  ])('%j builds what describe reports and trains (finite loss, every weight moves)', (input) => {
    const arch = ArchitectureSpec.parse(input);
    const d = describeModel(arch);
    const model = buildModel(arch, { seed: 3 });
    try {
      expect(builtCounts(model)).toEqual({ params: d.params, trainableParams: d.trainableParams });
      expect(builtLayerParams(model)).toEqual(Object.fromEntries(d.layers.map((l) => [l.name, l.params])));
      for (const layer of d.layers) {
        expect(model.getLayer(layer.name).outputShape, layer.name).toEqual([null, ...layer.outputShape]);
      }
      const before = model.trainableWeights.map((w) => w.read().dataSync().slice());
      expect(Number.isFinite(gradientStep(model, 4, 0.01))).toBe(true);
      model.trainableWeights.forEach((w, i) => {
        const after = w.read().dataSync();
        expect(
          after.some((v, j) => v !== before[i]![j]),
          `${w.name} did not change`,
        ).toBe(true);
      });
    } finally {
      model.dispose();
    }
  });
});

describe('layers of the paper variants', () => {
  it('local response normalisation computes x / (2 + 1e-4 * sum of squares over 5 channels)^0.75', () => {
    const g = new GraphBuilder();
    const input = g.input('input', [1, 1, 7]);
    const model = graphToModel(g.finish([g.lrn(input, 'lrn')]));
    const x = [1, -2, 3, 40, 5, -60, 7];
    const out = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, 1, 1, 7])) as tf.Tensor).dataSync());
    const expected = x.map((v, c) => {
      let sum = 0;
      for (let j = Math.max(0, c - 2); j <= Math.min(6, c + 2); j++) sum += x[j]! ** 2;
      return v / (2 + 1e-4 * sum) ** 0.75;
    });
    expected.forEach((e, i) => expect(out[i]).toBeCloseTo(e, 5));
    model.dispose();
  });

  it("a channel slice passes exactly its channels, and a group's conv sees only its half", () => {
    const g = new GraphBuilder();
    const input = g.input('input', [2, 2, 6]);
    const model = graphToModel(g.finish([g.channelSlice(input, 'second', 2, 3)]));
    const x = tf.tensor4d(
      Array.from({ length: 24 }, (_, i) => i),
      [1, 2, 2, 6],
    );
    const out = model.predict(x) as tf.Tensor;
    expect(out.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(out.dataSync())).toEqual([2, 3, 4, 8, 9, 10, 14, 15, 16, 20, 21, 22]);
    tf.dispose([x, out]);
    model.dispose();
    expect(() => new GraphBuilder().channelSlice({ name: 'x', shape: [2, 2, 4] }, 'bad', 2, 3)).toThrow(
      /channels \[2, 5\) are not within 4/,
    );
  });
});

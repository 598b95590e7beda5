import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { activationLayers } from './activation-layers';
import { ActivationProbe, LayerNotFoundError, normaliseChannels } from './activation-maps';
import { buildSeededModel } from './seeded-model.builder';

const spec = (family: 'cifar-resnet' | 'cifar-plain') =>
  ExperimentSpec.parse({
    architecture: { family, depth: 8, widthMultiplier: 0.25 },
    dataset: { name: 'synthetic', imageSize: 8, classes: 4 },
  });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('normaliseChannels', () => {
  it('maps each channel min..max to 0..255 on its own, and a constant channel to zeros', () => {
    // 2x2 map, 3 channels, HWC: channel 0 = 0,1,2,3; channel 1 = -4,-2,0,4; channel 2 constant.
    const values = Float32Array.of(0, -4, 7, 1, -2, 7, 2, 0, 7, 3, 4, 7);
    const maps = normaliseChannels(values, [2, 2, 3], { first: 0, count: 3, maxSide: 64 });
    expect(maps).toMatchObject({ totalChannels: 3, first: 0, count: 3, height: 2, width: 2, stride: 1 });
    expect(maps.min).toEqual([0, -4, 7]);
    expect(maps.max).toEqual([3, 4, 7]);
    expect(Array.from(maps.data)).toEqual([0, 85, 170, 255, 0, 64, 128, 255, 0, 0, 0, 0]);
  });

  it('returns the selected channels only, and subsamples maps larger than maxSide by a stride', () => {
    // 5x5, 4 channels; value = 100 * channel + pixel index.
    const values = Float32Array.from({ length: 5 * 5 * 4 }, (_, i) => 100 * (i % 4) + Math.floor(i / 4));
    const maps = normaliseChannels(values, [5, 5, 4], { first: 2, count: 5, maxSide: 2 });
    expect(maps).toMatchObject({ first: 2, count: 2, stride: 3, height: 2, width: 2 });
    // The range is the whole channel's, the bytes are rows/columns 0 and 3.
    expect(maps.min).toEqual([200, 300]);
    expect(maps.max).toEqual([224, 324]);
    const at = (p: number) => Math.round((255 * p) / 24);
    expect(Array.from(maps.data.subarray(0, 4))).toEqual([at(0), at(3), at(15), at(18)]);
  });
});

describe('activationLayers', () => {
  it('marks the skip-connection adds and block outputs of a residual net, only block outputs of a plain one', () => {
    const residual = activationLayers(resolveExperiment(spec('cifar-resnet')).architecture);
    expect(residual.filter((l) => l.role === 'skip-add').map((l) => l.name)).toEqual([
      'stage1_block1_add',
      'stage2_block1_add',
      'stage3_block1_add',
    ]);
    expect(residual.filter((l) => l.role === 'block-output').map((l) => l.name)).toEqual([
      'stage1_block1_out',
      'stage2_block1_out',
      'stage3_block1_out',
    ]);
    expect(residual.find((l) => l.name === 'stage2_block1_add')).toMatchObject({
      kind: 'add',
      outputShape: [4, 4, 8],
      spatial: true,
    });
    expect(residual.find((l) => l.name === 'logits')).toMatchObject({ spatial: false, role: 'layer' });
    const plain = activationLayers(resolveExperiment(spec('cifar-plain')).architecture);
    expect(plain.some((l) => l.role === 'skip-add')).toBe(false);
    expect(plain.filter((l) => l.role === 'block-output')).toHaveLength(3);
  });
});

describe('ActivationProbe', () => {
  it("equals the model's own truncated predict, per channel, and predicts what model.predict does", () => {
    const before = tf.memory().numTensors;
    const model = buildSeededModel(resolveExperiment(spec('cifar-resnet')).architecture, 3);
    const probe = new ActivationProbe(model);
    const image = Float32Array.from({ length: 8 * 8 * 3 }, (_, i) => Math.sin(i * 0.37));
    const x = tf.tensor4d(image, [1, 8, 8, 3]);

    for (const layer of ['stage1_block1_add', 'stage2_block1_out', 'stage3_block1_conv2']) {
      const result = probe.run(image, layer, { first: 0, count: 64, maxSide: 64 });
      const truncated = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output });
      const reference = truncated.predict(x) as tf.Tensor;
      const [, h, w, c] = reference.shape as number[];
      const values = reference.dataSync();
      reference.dispose();
      expect(result.maps).toMatchObject({ totalChannels: c, count: c, height: h, width: w, stride: 1 });
      for (let ch = 0; ch < c!; ch++) {
        const channel = Array.from({ length: h! * w! }, (_, p) => values[p * c! + ch]!);
        const lo = Math.min(...channel);
        const hi = Math.max(...channel);
        expect(result.maps.min[ch]).toBe(lo);
        expect(result.maps.max[ch]).toBe(hi);
        const bytes = Array.from(result.maps.data.subarray(ch * h! * w!, (ch + 1) * h! * w!));
        expect(bytes).toEqual(channel.map((v) => (hi > lo ? Math.round((255 * (v - lo)) / (hi - lo)) : 0)));
      }
    }

    const logits = model.predict(x) as tf.Tensor;
    const expected = Array.from(logits.dataSync());
    logits.dispose();
    const result = probe.run(image, 'stage1_block1_add', { first: 0, count: 2, maxSide: 64 });
    expect(result.logits).toEqual(expected);
    expect(result.predicted).toBe(expected.indexOf(Math.max(...expected)));
    expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(result.maps.count).toBe(2);

    expect(() => probe.run(image, 'no_such_layer', { first: 0, count: 1, maxSide: 64 })).toThrow(LayerNotFoundError);
    expect(() => probe.run(image, 'logits', { first: 0, count: 1, maxSide: 64 })).toThrow(/no spatial output/);

    // Nothing stays behind: the truncated models share the model's weights, freed with it.
    x.dispose();
    probe.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

import * as tf from '@tensorflow/tfjs';
import {
  ARCHITECTURE_CATALOG,
  ARCHITECTURE_FAMILIES,
  ArchitectureSpec,
  type ArchitectureSpecInput,
} from '@resnet-lab/spec';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, describeModel } from './index';
import { builtCounts, builtLayerParams, gradientStep } from './test-helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Builds the spec and checks that the model holds exactly what `describeModel` reports. */
function expectDescribedExactly(input: ArchitectureSpecInput): void {
  const arch = ArchitectureSpec.parse(input);
  const d = describeModel(arch);
  const model = buildModel(arch);
  try {
    expect(builtCounts(model), JSON.stringify(input)).toEqual({ params: d.params, trainableParams: d.trainableParams });
    expect(builtLayerParams(model)).toEqual(Object.fromEntries(d.layers.map((l) => [l.name, l.params])));
    for (const layer of d.layers) {
      expect(model.getLayer(layer.name).outputShape, layer.name).toEqual([null, ...layer.outputShape]);
    }
  } finally {
    model.dispose();
  }
}

/** A small, cheap-to-train instance of every family. */
const SMALL: Record<(typeof ARCHITECTURE_FAMILIES)[number], ArchitectureSpecInput> = {
  'cifar-resnet': {
    family: 'cifar-resnet',
    depth: 8,
    widthMultiplier: 0.25,
    inputSize: 8,
    shortcut: 'B',
    shortcutKernel: 3,
  },
  'cifar-plain': { family: 'cifar-plain', depth: 8, widthMultiplier: 0.25, inputSize: 8 },
  resnet: { family: 'resnet', depth: 50, widthMultiplier: 1 / 16, inputSize: 8, shortcut: 'A' },
  plain: { family: 'plain', depth: 18, widthMultiplier: 1 / 16, inputSize: 8 },
  vgg: { family: 'vgg', depth: 11, widthMultiplier: 1 / 16, inputSize: 8 },
  'vgg16-skip': {
    family: 'vgg16-skip',
    depth: 16,
    widthMultiplier: 1 / 16,
    inputSize: 8,
    skipVersion: 2,
    shortcutKernel: 3,
  },
  lenet5: { family: 'lenet5', depth: 5, widthMultiplier: 0.5, inputSize: 16 },
  alexnet: { family: 'alexnet', depth: 8, widthMultiplier: 1 / 16, inputSize: 8 },
  googlenet: { family: 'googlenet', depth: 22, widthMultiplier: 1 / 16, inputSize: 8, auxHeads: true },
};

describe.each(ARCHITECTURE_FAMILIES)('%s at a small width', (family) => {
  const arch = ArchitectureSpec.parse({ ...SMALL[family], inputChannels: 2, numClasses: 5 });

  it('has the right output shape, trains one step, and leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const model = buildModel(arch, { seed: 3 });
    const built = tf.memory().numTensors;
    const outputs = tf.tidy(() => {
      const y = model.predict(tf.randomNormal([2, arch.inputSize!, arch.inputSize!, 2]));
      return (Array.isArray(y) ? y : [y]).map((t) => t.shape);
    });
    expect(outputs).toEqual(Array(arch.auxHeads ? 3 : 1).fill([2, 5]));
    const weightsBefore = tf.tidy(() => model.trainableWeights.map((w) => w.read().clone()));
    expect(Number.isFinite(gradientStep(model, 2))).toBe(true);
    const moved = tf.tidy(() =>
      model.trainableWeights.some((w, i) => tf.any(tf.notEqual(w.read(), weightsBefore[i]!)).dataSync()[0] === 1),
    );
    tf.dispose(weightsBefore);
    expect(moved).toBe(true);
    expect(tf.memory().numTensors).toBe(built);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is described exactly', () => expectDescribedExactly(arch));
});

describe('describeModel equals the built model', () => {
  it('for the full-size ResNet-152 (option B) and GoogLeNet with aux heads', () => {
    expectDescribedExactly({ family: 'resnet', depth: 152, shortcut: 'B' });
    expectDescribedExactly({ family: 'googlenet', depth: 22, auxHeads: true });
  });

  it('over random valid specs (seeded)', () => {
    let state = 20260101;
    const rand = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    for (let i = 0; i < 60; i++) {
      const family = pick(ARCHITECTURE_FAMILIES);
      const info = ARCHITECTURE_CATALOG[family];
      const depth = info.depths.kind === 'list' ? pick(info.depths.values) : pick([8, 14, 20]);
      const spec: ArchitectureSpecInput = {
        family,
        depth: depth > 101 ? 50 : depth,
        shortcut: pick(['A', 'B', 'C'] as const),
        shortcutKernel: pick([1, 3, 5, 7] as const),
        widthMultiplier: pick([1 / 32, 1 / 16, 0.1]),
        padding: pick(['symmetric', 'tf-same'] as const),
        skipVersion: pick([1, 2] as const),
        auxHeads: rand() < 0.5,
        inputSize: info.minInputSize + Math.floor(rand() * (72 - info.minInputSize)),
        inputChannels: 1 + Math.floor(rand() * 3),
        numClasses: 2 + Math.floor(rand() * 10),
      };
      expect(ArchitectureSpec.safeParse(spec).success, JSON.stringify(spec)).toBe(true);
      expectDescribedExactly(spec);
    }
  });
});

describe('saved models', () => {
  it.each([
    { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25, inputSize: 8 },
    { family: 'googlenet', depth: 22, widthMultiplier: 1 / 16, inputSize: 8, auxHeads: true },
  ] as const)('load back with stock tf.loadLayersModel and compute the same ($family)', async (input) => {
    const arch = ArchitectureSpec.parse(input);
    const model = buildModel(arch, { seed: 5 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
    const [a, b] = [model, loaded].map((m): tf.Tensor[] => [m.predict(x)].flat());
    a!.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(b![i]!.dataSync())));
    tf.dispose([x, ...a!, ...b!]);
    model.dispose();
    loaded.dispose();
  });
});

describe('stride-2 padding', () => {
  /** Centre tap of a 3x3/2 conv against option A's subsampled shortcut, on the same input. */
  function centreTapMatchesShortcut(padding: 'symmetric' | 'tf-same'): boolean {
    const arch = ArchitectureSpec.parse({
      family: 'cifar-resnet',
      depth: 8,
      widthMultiplier: 0.25,
      inputSize: 8,
      padding,
    });
    const model = buildModel(arch);
    const conv = model.getLayer('stage2_block1_conv1');
    // getWeights returns the variables' own tensors: read the shape, dispose nothing.
    const [, , cin, cout] = conv.getWeights()[0]!.shape;
    const delta = tf.tidy(() => {
      const k = tf.buffer([3, 3, cin!, cout!]);
      for (let c = 0; c < cin!; c++) k.set(1, 1, 1, c, c);
      return k.toTensor();
    });
    conv.setWeights([delta]);
    const same = tf.tidy(() => {
      const x = tf.randomNormal([1, 8, 8, cin!], 0, 1, 'float32', 2);
      const padLayer = padding === 'symmetric' ? model.getLayer('stage2_block1_conv1_pad') : undefined;
      const convOut = conv.apply(padLayer ? padLayer.apply(x) : x) as tf.Tensor;
      const sub = model.getLayer('stage2_block1_shortcut_pool').apply(x) as tf.Tensor;
      const firstChannels = convOut.slice([0, 0, 0, 0], [1, 4, 4, cin!]);
      return tf.max(tf.abs(tf.sub(firstChannels, sub))).dataSync()[0]! < 1e-6;
    });
    delta.dispose();
    model.dispose();
    return same;
  }

  it('symmetric centres stride-2 taps on the rows option A subsamples; tf-same does not', () => {
    expect(centreTapMatchesShortcut('symmetric')).toBe(true);
    expect(centreTapMatchesShortcut('tf-same')).toBe(false);
  });
});

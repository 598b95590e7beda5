import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchitectureSpec, ExperimentSpec, resolveExperiment, type TrainerEvent } from '@resnet-lab/spec';
import { tenCropViews } from './batch.builder';
import { evaluate, evaluateScales, evaluateViews } from './evaluation.metrics';
import { runTraining } from './index';
import type { ImageSet } from './image-set.types';
import { SeededRng } from './seeded.rng';
import { buildDenseEvaluationModel, buildSeededModel } from './seeded-model.builder';
import { TrainingError } from './training.errors';

/**
 * The 10-crop test protocol against the definition worked by hand: pad the image with black by p
 * on each side, crop the four corners and the centre at the training size, flip each, run every
 * crop through the network on its own and average the ten softmax outputs.
 */
const SIZE = 8;
const CHANNELS = 3;
const CLASSES = 4;
const PAD = 2;
const COUNT = 5;

let model: tf.LayersModel;
const rng = SeededRng.fromSeed(7, 'test');
const set: ImageSet = {
  images: Uint8Array.from({ length: COUNT * SIZE * SIZE * CHANNELS }, () => rng.int(256)),
  labels: Int32Array.from({ length: COUNT }, (_, i) => i % CLASSES),
  count: COUNT,
  height: SIZE,
  width: SIZE,
  channels: CHANNELS,
};
// A per-pixel offset, so that the black padding is not zero after normalisation.
const norm = {
  offset: Float32Array.from({ length: SIZE * SIZE * CHANNELS }, (_, i) => (i % 7) * 10),
  scale: new Float32Array(SIZE * SIZE * CHANNELS).fill(1 / 64),
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = buildSeededModel(
    ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25, inputSize: SIZE, numClasses: 4 }),
    3,
  );
});

/** Image n's byte at (y, x, ch) of the padded image: black outside the original. */
function paddedByte(n: number, y: number, x: number, ch: number): number {
  const oy = y - PAD;
  const ox = x - PAD;
  if (oy < 0 || oy >= SIZE || ox < 0 || ox >= SIZE) return 0;
  return set.images[((n * SIZE + oy) * SIZE + ox) * CHANNELS + ch]!;
}

/** The ten crops of image n, normalised, each run alone; the mean of their softmax outputs. */
function byHand(n: number): number[] {
  const starts = [
    [0, 0],
    [0, 2 * PAD],
    [2 * PAD, 0],
    [2 * PAD, 2 * PAD],
    [PAD, PAD],
  ];
  const mean = new Array<number>(CLASSES).fill(0);
  for (const flip of [false, true]) {
    for (const [top, left] of starts) {
      const crop = new Float32Array(SIZE * SIZE * CHANNELS);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const sx = flip ? SIZE - 1 - x : x;
          for (let ch = 0; ch < CHANNELS; ch++) {
            const i = (y * SIZE + x) * CHANNELS + ch;
            crop[i] = (paddedByte(n, top! + y, left! + sx, ch) - norm.offset[i]!) * norm.scale[i]!;
          }
        }
      }
      const p = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(crop, [1, SIZE, SIZE, CHANNELS])) as tf.Tensor));
      p.dataSync().forEach((v, j) => (mean[j]! += v / 10));
      p.dispose();
    }
  }
  return mean;
}

/**
 * Image n's class probabilities as a protocol scores it: the loss of that image alone, labelled j,
 * is -log p_j. Compares protocols image by image, where mean losses could hide errors that cancel.
 */
async function probabilitiesOf(
  score: (one: ImageSet) => Promise<{ loss: number } | null>,
  source: ImageSet,
  n: number,
): Promise<number[]> {
  const size = source.height * source.width * source.channels;
  const out: number[] = [];
  for (let j = 0; j < CLASSES; j++) {
    const one = {
      ...source,
      images: source.images.subarray(n * size, (n + 1) * size),
      labels: Int32Array.of(j),
      count: 1,
    };
    out.push(Math.exp(-(await score(one))!.loss));
  }
  return out;
}

const expectClose = (actual: number[], expected: number[], tolerance: number, what: string) =>
  actual.forEach((v, j) => expect(Math.abs(v - expected[j]!), `${what}, class ${j}`).toBeLessThan(tolerance));

describe('test protocols', () => {
  it('10-crop equals the mean of the ten crops scored one by one', async () => {
    const tenCrop = (await evaluateViews(model, set, norm, CLASSES, 3, tenCropViews(PAD)))!;
    let loss = 0;
    let wrong = 0;
    for (let n = 0; n < COUNT; n++) {
      const mean = byHand(n);
      const label = set.labels[n]!;
      loss -= Math.log(mean[label]!) / COUNT;
      if (mean.some((v, j) => j !== label && v >= mean[label]!)) wrong++;
    }
    expect(tenCrop.loss).toBeCloseTo(loss, 5);
    expect(tenCrop.error).toBe(wrong / COUNT);
    // Image by image, every class's averaged score.
    for (let n = 0; n < COUNT; n++) {
      const scored = await probabilitiesOf(
        (one) => evaluateViews(model, one, norm, CLASSES, 3, tenCropViews(PAD)),
        set,
        n,
      );
      expectClose(scored, byHand(n), 1e-5, `image ${n}`);
    }
  });

  it('without flips (a network trained without them) scores the five unflipped crops', () => {
    const views = tenCropViews(PAD, false);
    expect(views).toHaveLength(5);
    expect(views.every((v) => !v.flip)).toBe(true);
    expect(tenCropViews(PAD).filter((v) => !v.flip)).toEqual(views);
  });

  it('a single unshifted view is the centre protocol', async () => {
    const centre = (await evaluate(model, set, norm, CLASSES, 3))!;
    const oneView = (await evaluateViews(model, set, norm, CLASSES, 3, [{ dy: 0, dx: 0, flip: false }]))!;
    expect(oneView.loss).toBeCloseTo(centre.loss, 5);
    expect(oneView.error).toBe(centre.error);
  });

  it('stores each protocol as its own test metrics, and the last epoch carries the per-image scores', async () => {
    const metrics: string[] = [];
    let testError = NaN;
    let scores: Extract<TrainerEvent, { type: 'epoch' }>['testScores'];
    await runTraining({
      experiment: resolveExperiment(
        ExperimentSpec.parse({
          architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
          dataset: { name: 'synthetic', trainSize: 64, testSize: 16, imageSize: 8, classes: 6 },
          training: { epochs: 1, batchSize: 32, testProtocols: ['center', '10-crop', 'dense', 'multi-scale'] },
        }),
      ),
      signal: new AbortController().signal,
      backend: 'cpu',
      onEvent: (e: TrainerEvent) => {
        if (e.type !== 'epoch') return;
        metrics.push(...e.metrics.map((m) => `${m.split}.${m.name}`));
        testError = e.metrics.find((m) => m.split === 'test' && m.name === 'error')!.value;
        scores = e.testScores;
      },
    });
    expect(metrics).toEqual(
      expect.arrayContaining([
        'test.error',
        'test.loss',
        'test.error_10crop',
        'test.loss_10crop',
        'test.error_dense',
        'test.error_multiscale',
        // Top-5 error for every protocol where there are more than five classes.
        'test.top5_error',
        'test.top5_error_10crop',
        'test.top5_error_dense',
        'test.top5_error_multiscale',
      ]),
    );
    // The centre protocol's scores: 16 test images x 6 classes, whose argmax error is test.error.
    const labels = new Int32Array(scores!.labels.slice().buffer);
    const probabilities = new Float32Array(scores!.probabilities.slice().buffer);
    expect(scores!.classes).toBe(6);
    expect(labels).toHaveLength(16);
    let wrong = 0;
    labels.forEach((label, n) => {
      const row = Array.from(probabilities.subarray(n * 6, n * 6 + 6));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      if (row.some((p, j) => j !== label && p >= row[label]!)) wrong++;
    });
    expect(wrong / 16).toBe(testError);
  });
});

describe('dense and multi-scale protocols', () => {
  const arch = (inputSize: number) =>
    ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25, inputSize, numClasses: 4 });
  // Fresh weights at each size: the protocol must copy the trained ones over.
  const buildAt = (size: number) => buildSeededModel(arch(size), 99);

  it('dense at the training size equals the ordinary forward pass within 1e-5', async () => {
    const centre = (await evaluate(model, set, norm, CLASSES, 3))!;
    const dense = (await evaluateScales(model, buildAt, set, norm, CLASSES, 3, [SIZE]))!;
    expect(Math.abs(dense.loss - centre.loss)).toBeLessThan(1e-5);
    expect(dense.error).toBe(centre.error);
    for (let n = 0; n < COUNT; n++) {
      expectClose(
        await probabilitiesOf((one) => evaluateScales(model, buildAt, one, norm, CLASSES, 3, [SIZE]), set, n),
        await probabilitiesOf((one) => evaluate(model, one, norm, CLASSES, 3), set, n),
        1e-5,
        `image ${n}`,
      );
    }
  });

  it('multi-scale averages the softmax of each image resized to each size, through the trained weights', async () => {
    const scales = [8, 10, 12];
    const multi = (await evaluateScales(model, buildAt, set, norm, CLASSES, 2, scales))!;
    let loss = 0;
    for (let n = 0; n < COUNT; n++) {
      const image = new Float32Array(SIZE * SIZE * CHANNELS);
      for (let i = 0; i < image.length; i++) {
        image[i] = (set.images[n * image.length + i]! - norm.offset[i]!) * norm.scale[i]!;
      }
      const mean = new Array<number>(CLASSES).fill(0);
      for (const size of scales) {
        const at = buildAt(size);
        at.setWeights(model.getWeights());
        const p = tf.tidy(() => {
          const resized = tf.image.resizeBilinear(
            tf.tensor4d(image, [1, SIZE, SIZE, CHANNELS]),
            [size, size],
            false,
            true,
          );
          return tf.softmax(at.predict(resized) as tf.Tensor);
        });
        p.dataSync().forEach((v, j) => (mean[j]! += v / scales.length));
        p.dispose();
        at.dispose();
      }
      loss -= Math.log(mean[set.labels[n]!]!) / COUNT;
    }
    expect(multi.loss).toBeCloseTo(loss, 5);
  });
});

describe('dense evaluation of a fully connected head (LeNet-5)', () => {
  // Trained at 32x32: the head's f5 sees a 5x5x16 map; at 40x40 the map is 7x7, so 3x3 windows.
  const lenetArch = (size: number) =>
    ArchitectureSpec.parse({ family: 'lenet5', inputSize: size, inputChannels: 3, numClasses: CLASSES });
  const BIG = 32;
  const bigSet: ImageSet = {
    ...set,
    images: Uint8Array.from({ length: COUNT * BIG * BIG * CHANNELS }, () => rng.int(256)),
    height: BIG,
    width: BIG,
  };
  const bigNorm = {
    offset: new Float32Array(BIG * BIG * CHANNELS).fill(120),
    scale: new Float32Array(BIG * BIG * CHANNELS).fill(1 / 64),
  };
  let trained: tf.LayersModel;
  // Fresh weights at each size (another seed): the protocol must copy the trained ones over.
  const buildAt = (size: number) => buildDenseEvaluationModel(lenetArch(BIG), size, 99);

  beforeAll(() => {
    trained = buildSeededModel(lenetArch(BIG), 5);
  });

  it('at the training size equals the ordinary forward pass within 1e-5', async () => {
    const centre = (await evaluate(trained, bigSet, bigNorm, CLASSES, 3))!;
    const dense = (await evaluateScales(trained, buildAt, bigSet, bigNorm, CLASSES, 3, [BIG]))!;
    expect(Math.abs(dense.loss - centre.loss)).toBeLessThan(1e-5);
    expect(dense.error).toBe(centre.error);
    for (let n = 0; n < COUNT; n++) {
      expectClose(
        await probabilitiesOf((one) => evaluateScales(trained, buildAt, one, bigNorm, CLASSES, 3, [BIG]), bigSet, n),
        await probabilitiesOf((one) => evaluate(trained, one, bigNorm, CLASSES, 3), bigSet, n),
        1e-5,
        `image ${n}`,
      );
    }
  });

  it("at a larger size averages the trained head's logits over every window of the map", async () => {
    const dense = (await evaluateScales(trained, buildAt, bigSet, bigNorm, CLASSES, 2, [40]))!;
    // By hand: the 7x7 map through the trained features, then each 5x5 window flattened and run
    // through the trained fc layers on its own, the nine windows' logits averaged.
    const at40 = buildAt(40);
    for (const w of at40.weights) w.write(byName(trained, w.originalName).read().reshape(w.read().shape));
    const features = tf.model({ inputs: at40.inputs, outputs: at40.getLayer('s4_pool').output });
    const head = ['f5', 'f5_relu', 'f6', 'f6_relu', 'logits'].map((name) => trained.getLayer(name));
    let loss = 0;
    for (let n = 0; n < COUNT; n++) {
      const p = tf.tidy(() => {
        const size = BIG * BIG * CHANNELS;
        const image = tf.tensor4d(bigSet.images.slice(n * size, (n + 1) * size), [1, BIG, BIG, CHANNELS]);
        const x = image.sub(120).mul(1 / 64);
        const map = features.predict(tf.image.resizeBilinear(x as tf.Tensor4D, [40, 40], false, true)) as tf.Tensor4D;
        expect(map.shape).toEqual([1, 7, 7, 16]);
        const windows: tf.Tensor[] = [];
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            let y: tf.Tensor = map.slice([0, i, j, 0], [1, 5, 5, 16]).reshape([1, 400]);
            for (const layer of head) y = layer.apply(y) as tf.Tensor;
            windows.push(y);
          }
        }
        return tf.softmax(tf.addN(windows).div(windows.length));
      });
      loss -= Math.log(p.dataSync()[bigSet.labels[n]!]!) / COUNT;
      p.dispose();
    }
    at40.dispose();
    expect(dense.loss).toBeCloseTo(loss, 5);
  });

  it('refuses, without retry, a size whose map is smaller than the one the head was trained on', async () => {
    const error = await evaluateScales(trained, buildAt, bigSet, bigNorm, CLASSES, 5, [28]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as TrainingError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/the map before the fully connected head is 4x4, smaller than the 5x5/);
  });
});

function byName(model: tf.LayersModel, name: string): tf.LayerVariable {
  return model.weights.find((w) => w.originalName === name)!;
}

describe("dense evaluation of the papers' own fully connected heads at the training size", () => {
  // AlexNet as published (two groups, LRN, dropout, no batch norm) and VGG-11 with batch norm:
  // their fully connected heads become convolutions, and at the training size the one window's
  // score must be the ordinary forward pass's.
  const cases = [
    { family: 'alexnet', batchNorm: false, widthMultiplier: 0.125, inputSize: 67 },
    { family: 'vgg', depth: 11, widthMultiplier: 0.125, inputSize: 32 },
  ] as const;

  it.each(cases)('$family at $inputSize pixels equals the ordinary forward pass within 1e-5', async (c) => {
    const arch = ArchitectureSpec.parse({ ...c, inputChannels: CHANNELS, numClasses: CLASSES });
    const pixels = c.inputSize * c.inputSize * CHANNELS;
    const images: ImageSet = {
      ...set,
      images: Uint8Array.from({ length: COUNT * pixels }, () => rng.int(256)),
      height: c.inputSize,
      width: c.inputSize,
    };
    const flat = { offset: new Float32Array(pixels).fill(120), scale: new Float32Array(pixels).fill(1 / 64) };
    const trained = buildSeededModel(arch, 5);
    const buildAt = (size: number) => buildDenseEvaluationModel(arch, size, 99);
    const centre = (await evaluate(trained, images, flat, CLASSES, 2))!;
    const dense = (await evaluateScales(trained, buildAt, images, flat, CLASSES, 2, [c.inputSize]))!;
    trained.dispose();
    expect(Math.abs(dense.loss - centre.loss)).toBeLessThan(1e-5);
    expect(dense.error).toBe(centre.error);
  });
});

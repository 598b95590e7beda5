import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchitectureSpec, ExperimentSpec, resolveExperiment, type TrainerEvent } from '@resnet-lab/spec';
import { tenCropViews } from './batch.builder';
import { evaluate, evaluateScales, evaluateViews } from './evaluation.metrics';
import { runTraining } from './index';
import type { ImageSet } from './image-set.types';
import { SeededRng } from './seeded.rng';
import { buildSeededModel } from './seeded-model.builder';
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
          dataset: { name: 'synthetic', trainSize: 64, testSize: 16, imageSize: 8, classes: 4 },
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
      ]),
    );
    // The centre protocol's scores: 16 test images x 4 classes, whose argmax error is test.error.
    const labels = new Int32Array(scores!.labels.slice().buffer);
    const probabilities = new Float32Array(scores!.probabilities.slice().buffer);
    expect(scores!.classes).toBe(4);
    expect(labels).toHaveLength(16);
    let wrong = 0;
    labels.forEach((label, n) => {
      const row = Array.from(probabilities.subarray(n * 4, n * 4 + 4));
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

  it('refuses, without retry, a network whose weights change with the input size (an fc head)', async () => {
    const lenet = (size: number) =>
      buildSeededModel(
        ArchitectureSpec.parse({ family: 'lenet5', inputSize: size, inputChannels: 3, numClasses: 4 }),
        1,
      );
    const trained = lenet(32);
    const bigger: ImageSet = { ...set, images: new Uint8Array(COUNT * 32 * 32 * 3), height: 32, width: 32 };
    const flat = { offset: new Float32Array(32 * 32 * 3), scale: new Float32Array(32 * 32 * 3).fill(1 / 255) };
    const error = await evaluateScales(trained, lenet, bigger, flat, CLASSES, 5, [40]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as TrainingError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/at 40x40 pixels the network has other weights/);
    trained.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment, type TrainerEvent } from '@resnet-lab/spec';
import { buildBatch, scaledCrop, writeScaledCrop } from './batch.builder';
import { runTraining } from './index';
import type { ImageSet } from './image-set.types';
import { SeededRng } from './seeded.rng';

/**
 * Scale augmentation (VGG, ResNet on ImageNet): resize so the shorter side is S, then a random crop
 * of the input size, flipped at random. Checked against TensorFlow's own bilinear resize.
 */
const SIZE = 8;
const CHANNELS = 3;
const rng = SeededRng.fromSeed(3, 'test');
const set: ImageSet = {
  images: Uint8Array.from({ length: 2 * SIZE * SIZE * CHANNELS }, () => rng.int(256)),
  labels: Int32Array.from([0, 1]),
  count: 2,
  height: SIZE,
  width: SIZE,
  channels: CHANNELS,
};
const pixels = SIZE * SIZE * CHANNELS;
const identity = { offset: new Float32Array(pixels), scale: new Float32Array(pixels).fill(1) };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('scale augmentation', () => {
  it('at S equal to the image size is the image itself or its mirror', () => {
    const { x } = buildBatch(set, [0], 0, 1, identity, {
      rng: SeededRng.fromSeed(1, 'a'),
      padding: 0,
      flip: true,
      scale: { min: SIZE, max: SIZE },
    });
    const original = Array.from(set.images.subarray(0, pixels));
    const mirrored = original.slice();
    for (let y = 0; y < SIZE; y++) {
      for (let xx = 0; xx < SIZE; xx++) {
        for (let c = 0; c < CHANNELS; c++) {
          mirrored[(y * SIZE + xx) * CHANNELS + c] = original[(y * SIZE + (SIZE - 1 - xx)) * CHANNELS + c]!;
        }
      }
    }
    expect([original, mirrored]).toContainEqual(Array.from(x));
  });

  it("crops from the image resized as TensorFlow's half-pixel bilinear resize does", () => {
    for (const [side, top, left] of [
      [16, 5, 3],
      [12, 0, 4],
      [11, 3, 0],
    ] as const) {
      const crop = { height: side, width: side, top, left, flip: false };
      const x = new Float32Array(pixels);
      writeScaledCrop(set, pixels, x, 0, crop, identity);
      const expected = tf.tidy(() => {
        const image = tf.tensor4d(Float32Array.from(set.images.subarray(pixels, 2 * pixels)), [
          1,
          SIZE,
          SIZE,
          CHANNELS,
        ]);
        const resized = tf.image.resizeBilinear(image, [side, side], false, true);
        return tf.slice(resized, [0, top, left, 0], [1, SIZE, SIZE, CHANNELS]).dataSync();
      });
      for (let i = 0; i < pixels; i++) expect(x[i]).toBeCloseTo(expected[i]!, 3);
    }
  });

  it('draws S within [min, max] and a crop inside the resized image, reproducibly', () => {
    const draws = (seed: number) => {
      const r = SeededRng.fromSeed(seed, 'augment');
      return Array.from({ length: 200 }, () => scaledCrop(set, { min: 8, max: 16 }, r));
    };
    const crops = draws(5);
    expect(new Set(crops.map((c) => c.height))).toEqual(new Set([8, 9, 10, 11, 12, 13, 14, 15, 16]));
    for (const c of crops) {
      expect(c.top + SIZE).toBeLessThanOrEqual(c.height);
      expect(c.left + SIZE).toBeLessThanOrEqual(c.width);
    }
    expect(draws(5)).toEqual(crops);
  });

  it('refuses a smallest side below the network input, naming the field', () => {
    const r = ExperimentSpec.safeParse({
      dataset: { name: 'synthetic', imageSize: 16, scaleAugment: { min: 12, max: 20 } },
    });
    expect(r.error!.issues[0]!.path).toEqual(['dataset', 'scaleAugment', 'min']);
  });

  it('is applied by the trainer when the dataset asks for it, as is PCA lighting', async () => {
    const trainLoss = async (dataset: object) => {
      let loss = NaN;
      await runTraining({
        experiment: resolveExperiment(
          ExperimentSpec.parse({
            architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
            dataset: { name: 'synthetic', trainSize: 64, testSize: 16, imageSize: 8, classes: 4, ...dataset },
            training: { epochs: 1, batchSize: 32 },
          }),
        ),
        signal: new AbortController().signal,
        backend: 'cpu',
        onEvent: (e: TrainerEvent) => {
          if (e.type === 'epoch') loss = e.metrics.find((m) => m.split === 'train' && m.name === 'loss')!.value;
        },
      });
      return loss;
    };
    const plain = await trainLoss({});
    const scaled = await trainLoss({ scaleAugment: { min: 8, max: 12 } });
    expect(Number.isFinite(scaled)).toBe(true);
    expect(scaled).not.toBe(plain);
    // PCA lighting goes the same way (synthetic images are RGB).
    const lit = await trainLoss({ pcaLighting: 0.1 });
    expect(Number.isFinite(lit)).toBe(true);
    expect(lit).not.toBe(plain);
  });
});

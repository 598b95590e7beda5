import { describe, expect, it } from 'vitest';
import { ExperimentSpec } from '@resnet-lab/spec';
import { buildBatch } from './batch.builder';
import type { ImageSet } from './image-set.types';
import { drawLighting, fitPcaLighting, symmetricEigen3 } from './pca-lighting';
import { SeededRng } from './seeded.rng';

const rng = SeededRng.fromSeed(11, 'test');
const SIZE = 6;
const set: ImageSet = {
  images: Uint8Array.from({ length: 3 * SIZE * SIZE * 3 }, (_, i) => (i % 3 === 0 ? rng.int(256) : rng.int(64))),
  labels: Int32Array.from([0, 1, 2]),
  count: 3,
  height: SIZE,
  width: SIZE,
  channels: 3,
};
const pixels = SIZE * SIZE * 3;
const identity = { offset: new Float32Array(pixels), scale: new Float32Array(pixels).fill(1) };

describe('PCA lighting (AlexNet)', () => {
  it('decomposes a symmetric 3x3 matrix: A v = lambda v, unit vectors, largest first', () => {
    const a = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1];
    const { values, vectors } = symmetricEigen3(a);
    expect(values[0]).toBeGreaterThanOrEqual(values[1]);
    expect(values[1]).toBeGreaterThanOrEqual(values[2]);
    values.forEach((lambda, i) => {
      const v = vectors[i]!;
      expect(Math.hypot(...v)).toBeCloseTo(1, 12);
      for (let r = 0; r < 3; r++) {
        const av = a[3 * r]! * v[0] + a[3 * r + 1]! * v[1] + a[3 * r + 2]! * v[2];
        expect(av).toBeCloseTo(lambda * v[r]!, 10);
      }
    });
    // The trace is kept.
    expect(values[0] + values[1] + values[2]).toBeCloseTo(8, 10);
  });

  it('fits the RGB covariance of the training pixels: red varies most here', () => {
    const pca = fitPcaLighting(set);
    expect(Math.abs(pca.vectors[0]![0])).toBeGreaterThan(0.9);
    expect(pca.values.every((v) => v >= 0)).toBe(true);
  });

  it('shifts every pixel of an image by one colour, another per image, reproducibly', () => {
    const pca = fitPcaLighting(set);
    const batch = (seed: number) =>
      buildBatch(set, [0, 1, 2], 0, 3, identity, {
        rng: SeededRng.fromSeed(seed, 'augment'),
        padding: 0,
        flip: false,
        lighting: { pca, sigma: 0.1 },
      }).x;
    const x = batch(4);
    const shifts: number[][] = [];
    for (let n = 0; n < 3; n++) {
      const shift = [0, 1, 2].map((c) => x[n * pixels + c]! - set.images[n * pixels + c]!);
      for (let p = 0; p < SIZE * SIZE; p++) {
        for (let c = 0; c < 3; c++) {
          expect(x[n * pixels + p * 3 + c]! - set.images[n * pixels + p * 3 + c]!).toBeCloseTo(shift[c]!, 3);
        }
      }
      shifts.push(shift);
    }
    expect(shifts[0]).not.toEqual(shifts[1]);
    expect(Array.from(batch(4))).toEqual(Array.from(x));
    // The shift is the one drawn from the same stream, after the crop's two (here empty) offsets.
    const stream = SeededRng.fromSeed(4, 'augment');
    stream.int(1);
    stream.int(1);
    const expected = drawLighting(pca, 0.1, stream);
    shifts[0]!.forEach((s, c) => expect(s).toBeCloseTo(expected[c]!, 3));
  });

  it('refuses grey inputs, naming the field', () => {
    const r = ExperimentSpec.safeParse({ dataset: { name: 'mnist', pcaLighting: 0.1 } });
    expect(r.error!.issues[0]!.path).toEqual(['dataset', 'pcaLighting']);
  });
});

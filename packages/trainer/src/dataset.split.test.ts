import { describe, expect, it } from 'vitest';
import { DatasetSpec } from '@resnet-lab/spec';
import { buildBatch } from './batch.builder';
import { augmentationOptions } from './epoch.runner';
import { splitTrainValidation, subsetTest } from './dataset.split';
import { fitImages } from './image.fit';
import type { ImageSet } from './image-set.types';
import { fitNormalizer } from './normalization.stats';
import { SeededRng } from './seeded.rng';
import { syntheticDataset } from './synthetic.dataset';

/** Image i is filled with the value i (so an image's identity can be read from its pixels). */
function numbered(count: number, side = 4, channels = 1): ImageSet {
  const size = side * side * channels;
  const images = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) images.fill(i, i * size, (i + 1) * size);
  return {
    images,
    labels: Int32Array.from({ length: count }, (_, i) => i % 10),
    count,
    height: side,
    width: side,
    channels,
  };
}

describe('train/validation split and subset', () => {
  it('is disjoint, complete, deterministic from splitSeed and changes with it', () => {
    const full = numbered(100);
    const a = splitTrainValidation(full, { validationSplit: 0.2, splitSeed: 3, source: 'test' });
    const b = splitTrainValidation(full, { validationSplit: 20, splitSeed: 3, source: 'test' });
    const c = splitTrainValidation(full, { validationSplit: 20, splitSeed: 4, source: 'test' });
    const ids = (s: ImageSet) => Array.from({ length: s.count }, (_, i) => s.images[i * 16]!);
    expect(a.validation!.count).toBe(20);
    expect(a.train.count).toBe(80);
    expect(new Set([...ids(a.train), ...ids(a.validation!)]).size).toBe(100);
    expect(ids(b.validation!)).toEqual(ids(a.validation!));
    expect(ids(c.validation!)).not.toEqual(ids(a.validation!));
  });

  it('takes the subset from the images left after validation; 0 holds out nothing', () => {
    const full = numbered(100);
    const s = splitTrainValidation(full, { validationSplit: 10, subset: 25, splitSeed: 0, source: 'test' });
    expect(s.train.count).toBe(25);
    const held = new Set(Array.from({ length: 10 }, (_, i) => s.validation!.images[i * 16]));
    for (let i = 0; i < 25; i++) expect(held.has(s.train.images[i * 16])).toBe(false);
    expect(splitTrainValidation(full, { validationSplit: 0, splitSeed: 0, source: 'test' }).validation).toBeNull();
    expect(() =>
      splitTrainValidation(full, { validationSplit: 10, subset: 91, splitSeed: 0, source: 'x.idx' }),
    ).toThrow(/subset 91 exceeds the 90 training images left in x.idx/);
    expect(subsetTest(full, 7, 0).count).toBe(7);
  });

  it('generates the same synthetic data for the same dataSeed', () => {
    const d = DatasetSpec.parse({ name: 'synthetic' });
    if (d.name !== 'synthetic') throw new Error('unreachable');
    expect(syntheticDataset(d)).toEqual(syntheticDataset(d));
    expect(syntheticDataset({ ...d, dataSeed: 1 }).train.images).not.toEqual(syntheticDataset(d).train.images);
  });
});

describe('normalisation', () => {
  it('per-channel: the training images get mean 0 and standard deviation 1 per channel', () => {
    const d = DatasetSpec.parse({ name: 'synthetic', trainSize: 50, channels: 3 });
    if (d.name !== 'synthetic') throw new Error('unreachable');
    const { train } = syntheticDataset(d);
    const norm = fitNormalizer(train, 'per-channel');
    const { x } = buildBatch(train, null, 0, train.count, norm);
    for (let ch = 0; ch < 3; ch++) {
      let sum = 0;
      let sq = 0;
      let n = 0;
      for (let i = ch; i < x.length; i += 3) {
        sum += x[i]!;
        sq += x[i]! * x[i]!;
        n++;
      }
      expect(sum / n).toBeCloseTo(0, 4);
      expect(Math.sqrt(sq / n - (sum / n) ** 2)).toBeCloseTo(1, 3);
    }
  });

  it('per-pixel-mean subtracts the mean image and scales by 1/255; unit-range scales only', () => {
    const set = numbered(3); // pixel values 0, 1, 2 -> mean image 1
    const { x } = buildBatch(set, null, 0, 3, fitNormalizer(set, 'per-pixel-mean'));
    expect(x[0]).toBeCloseTo(-1 / 255, 6);
    expect(x[32]).toBeCloseTo(1 / 255, 6);
    expect(buildBatch(set, null, 2, 3, fitNormalizer(set, 'unit-range')).x[0]).toBeCloseTo(2 / 255, 6);
  });
});

describe('augmentation', () => {
  const set: ImageSet = (() => {
    // 1 image, 4x4, 1 channel, pixel (y, x) = 10 * y + x + 1 so shifts and flips are visible.
    const images = Uint8Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4) + 1);
    return { images, labels: Int32Array.of(0), count: 1, height: 4, width: 4, channels: 1 };
  })();
  const norm = fitNormalizer(set, 'unit-range');
  const raw = (x: Float32Array) => Array.from(x, (v) => Math.round(v * 255));

  it('is deterministic from the rng state', () => {
    const a = buildBatch(set, [0, 0, 0], 0, 3, norm, { rng: SeededRng.fromSeed(5), padding: 2, flip: true });
    const b = buildBatch(set, [0, 0, 0], 0, 3, norm, { rng: SeededRng.fromSeed(5), padding: 2, flip: true });
    expect(a).toEqual(b);
  });

  it('crops inside the zero-padded image and flips horizontally', () => {
    const seen = new Set<string>();
    const rng = SeededRng.fromSeed(1);
    for (let i = 0; i < 200; i++) {
      const out = raw(buildBatch(set, [0], 0, 1, norm, { rng, padding: 1, flip: true }).x);
      seen.add(out.join(','));
      // Every output pixel is either padding (0) or a pixel of the source image.
      expect(out.every((v) => v === 0 || set.images.includes(v))).toBe(true);
    }
    // 3 x 3 offsets x 2 flips.
    expect(seen.size).toBe(18);
    const flipped = [4, 3, 2, 1, 14, 13, 12, 11, 24, 23, 22, 21, 34, 33, 32, 31].join(',');
    expect(seen.has(flipped)).toBe(true);
    expect(seen.has(Array.from(set.images).join(','))).toBe(true);
  });

  it('crops without flipping when augmentFlip is false, and scale augmentation too', () => {
    const spec = (extra: object) =>
      DatasetSpec.parse({ name: 'synthetic', trainSize: 8, testSize: 8, imageSize: 4, channels: 1, ...extra });
    const rng = SeededRng.fromSeed(1);
    expect(augmentationOptions(spec({ augment: true }), rng)).toMatchObject({ padding: 4, flip: true });
    expect(augmentationOptions(spec({ augment: true, augmentFlip: false }), rng)).toMatchObject({
      padding: 4,
      flip: false,
    });
    expect(augmentationOptions(spec({ augmentFlip: false }), rng)).toBeUndefined();
    // S equal to the image's side: the crop is the whole image, so only a flip could change it.
    const scaled = augmentationOptions(spec({ scaleAugment: { min: 4, max: 4 }, augmentFlip: false }), rng)!;
    expect(scaled).toMatchObject({ flip: false, scale: { min: 4, max: 4 } });
    const outputs = new Set<string>();
    for (let i = 0; i < 50; i++) outputs.add(raw(buildBatch(set, [0], 0, 1, norm, scaled).x).join(','));
    expect([...outputs]).toEqual([Array.from(set.images).join(',')]);
    const flipping = { ...scaled, flip: true };
    for (let i = 0; i < 50; i++) outputs.add(raw(buildBatch(set, [0], 0, 1, norm, flipping).x).join(','));
    expect(outputs.size).toBe(2);
  });

  it('with padding 0 and no flip is the identity', () => {
    const out = buildBatch(set, [0], 0, 1, norm, { rng: SeededRng.fromSeed(1), padding: 0, flip: false });
    expect(raw(out.x)).toEqual(Array.from(set.images));
  });
});

describe('fitting images to the network input', () => {
  it('zero-pads centred, resamples down, and converts channels', () => {
    const set = numbered(2, 2, 1);
    const padded = fitImages(set, { height: 4, width: 4, channels: 1 });
    expect(padded.description).toBe('zero-padded 2x2 -> 4x4');
    expect(Array.from(padded.set.images.subarray(16, 32))).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    const rgb = fitImages(set, { height: 2, width: 2, channels: 3 });
    expect(Array.from(rgb.set.images.subarray(12, 15))).toEqual([1, 1, 1]);
    const down = fitImages(numbered(1, 4, 1), { height: 2, width: 2, channels: 1 });
    expect(down.set.images.length).toBe(4);
    expect(down.description).toBe('resampled (nearest) 4x4 -> 2x2');
    expect(fitImages(set, { height: 2, width: 2, channels: 1 }).set).toBe(set);
  });
});

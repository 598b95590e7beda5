import { describe, expect, it } from 'vitest';
import { DatasetSpec, FASHION_MNIST_DEFAULT_DIR, datasetShape, validationCount } from './dataset';
import { ExperimentSpec, specHash } from './experiment';

describe('DatasetSpec', () => {
  it('keeps the synthetic defaults and adds the common options', () => {
    expect(DatasetSpec.parse({ name: 'synthetic' })).toEqual({
      name: 'synthetic',
      trainSize: 256,
      testSize: 64,
      imageSize: 8,
      channels: 3,
      classes: 4,
      dataSeed: 0,
      validationSplit: 0.25,
      augment: false,
      augmentPadding: 4,
      normalization: 'per-channel',
      splitSeed: 0,
    });
  });

  it('defaults augmentation on for CIFAR-10 (with the paper 45k/5k split) and off for MNIST', () => {
    const cifar = DatasetSpec.parse({ name: 'cifar10', dir: '/data/cifar' });
    expect(cifar).toMatchObject({ augment: true, augmentPadding: 4, validationSplit: 5000 });
    expect(DatasetSpec.parse({ name: 'mnist' })).toMatchObject({ augment: false, validationSplit: 5000 });
    expect(DatasetSpec.parse({ name: 'fashion-mnist' })).toMatchObject({
      dir: FASHION_MNIST_DEFAULT_DIR,
      augment: false,
    });
  });

  it('requires a directory for user datasets, naming the field', () => {
    const r = DatasetSpec.safeParse({ name: 'cifar10' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['dir']);
  });

  it('takes augmentFlip into the hash only where it turns off flips that would happen', () => {
    const hash = (dataset: object) => specHash(ExperimentSpec.parse({ dataset: { name: 'mnist', ...dataset } }));
    expect(hash({ augment: true, augmentFlip: true })).toBe(hash({ augment: true }));
    expect(hash({ augmentFlip: false })).toBe(hash({}));
    expect(hash({ augment: true, augmentFlip: false })).not.toBe(hash({ augment: true }));
    const jitter = { scaleAugment: { min: 28, max: 40 } };
    expect(hash({ ...jitter, augmentFlip: false })).not.toBe(hash(jitter));
  });

  it('rejects unknown fields', () => {
    const r = DatasetSpec.safeParse({ name: 'mnist', subsetSize: 10 });
    expect(r.success).toBe(false);
  });

  it('accepts a validation count or fraction and rejects a fractional count above 1', () => {
    expect(DatasetSpec.parse({ name: 'mnist', validationSplit: 0.1 }).validationSplit).toBe(0.1);
    const r = DatasetSpec.safeParse({ name: 'mnist', validationSplit: 1.5 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['validationSplit']);
  });

  it('rejects splits and subsets that leave no or too few training images, naming the field', () => {
    const all = DatasetSpec.safeParse({ name: 'synthetic', trainSize: 100, validationSplit: 100 });
    expect(all.error!.issues[0]!.path).toEqual(['validationSplit']);
    const subset = DatasetSpec.safeParse({ name: 'cifar10', dir: '/d', subset: 46_000 });
    expect(subset.error!.issues[0]!.path).toEqual(['subset']);
    expect(DatasetSpec.safeParse({ name: 'cifar10', dir: '/d', subset: 45_000 }).success).toBe(true);
  });
});

describe('dataset.labels', () => {
  it('makes a task of the listed classes, and refuses a repeated or unknown class naming it', () => {
    const d = DatasetSpec.parse({ name: 'mnist', labels: [5, 6, 7, 8, 9] });
    expect(datasetShape(d).classes).toBe(5);
    const repeated = DatasetSpec.safeParse({ name: 'mnist', labels: [1, 1] });
    expect(repeated.error!.issues[0]).toMatchObject({ path: ['labels'], message: 'labels must not repeat' });
    const unknown = DatasetSpec.safeParse({ name: 'cifar10', dir: '/data/cifar', labels: [0, 10] });
    expect(unknown.error!.issues[0]).toMatchObject({
      path: ['labels', 1],
      message: 'label 10 is not a class of cifar10 (0 to 9)',
    });
  });
});

describe('datasetShape', () => {
  it('gives the shape of every dataset without loading it', () => {
    expect(datasetShape(DatasetSpec.parse({ name: 'mnist' }))).toEqual({
      height: 28,
      width: 28,
      channels: 1,
      classes: 10,
    });
    expect(datasetShape(DatasetSpec.parse({ name: 'fashion-mnist' }))).toEqual({
      height: 28,
      width: 28,
      channels: 1,
      classes: 10,
    });
    expect(datasetShape(DatasetSpec.parse({ name: 'cifar10', dir: '/d' }))).toEqual({
      height: 32,
      width: 32,
      channels: 3,
      classes: 10,
    });
    expect(datasetShape(DatasetSpec.parse({ name: 'synthetic', imageSize: 12, channels: 1, classes: 20 }))).toEqual({
      height: 12,
      width: 12,
      channels: 1,
      classes: 20,
    });
    expect(datasetShape(DatasetSpec.parse({ name: 'idx', dir: '/d', height: 20, width: 24, classes: 26 }))).toEqual({
      height: 20,
      width: 24,
      channels: 1,
      classes: 26,
    });
  });

  it('validationCount reads whole numbers as counts and fractions as shares', () => {
    expect(validationCount(5000, 50_000)).toBe(5000);
    expect(validationCount(0.1, 50_000)).toBe(5000);
    expect(validationCount(0, 50_000)).toBe(0);
  });
});

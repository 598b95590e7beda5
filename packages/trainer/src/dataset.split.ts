import { validationCount } from '@resnet-lab/spec';
import type { ImageSet } from './image-set.types';
import { pick } from './image-set.types';
import { SeededRng } from './seeded.rng';

/**
 * Holds out a seeded random validation set from the training file, then keeps `subset` of the rest.
 * Seeded by the dataset's splitSeed, not the training seed, so every seed of a grid is validated on
 * the same images.
 */
export function splitTrainValidation(
  full: ImageSet,
  options: { validationSplit: number; subset?: number; splitSeed: number; source: string },
): { train: ImageSet; validation: ImageSet | null } {
  const held = validationCount(options.validationSplit, full.count);
  if (held >= full.count) {
    throw new RangeError(
      `validationSplit ${options.validationSplit} holds out ${held} ` +
        `of the ${full.count} training images in ${options.source}`,
    );
  }
  const perm = SeededRng.fromSeed(options.splitSeed, 'validation-split').permutation(full.count);
  const rest = perm.subarray(held);
  const trainCount = options.subset === undefined ? rest.length : options.subset;
  if (trainCount > rest.length) {
    throw new RangeError(
      `subset ${options.subset} exceeds the ${rest.length} training images left in ${options.source} after validation`,
    );
  }
  // Sorted so that the subset keeps the file's order: easier to reason about, and the per-epoch
  // shuffle randomises it anyway.
  const trainIdx = Uint32Array.from(rest.subarray(0, trainCount)).sort();
  const validIdx = Uint32Array.from(perm.subarray(0, held)).sort();
  return { train: pick(full, trainIdx), validation: held === 0 ? null : pick(full, validIdx) };
}

/** A seeded random `count` of the test images (all of them when count is undefined). */
export function subsetTest(test: ImageSet, count: number | undefined, splitSeed: number): ImageSet {
  if (count === undefined || count >= test.count) return test;
  const perm = SeededRng.fromSeed(splitSeed, 'test-subset').permutation(test.count);
  return pick(test, Uint32Array.from(perm.subarray(0, count)).sort());
}

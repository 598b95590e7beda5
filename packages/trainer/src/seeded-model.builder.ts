import type * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '@resnet-lab/spec';
import {
  buildModel,
  denseEvaluationGraph,
  graphToModel,
  ModelBuildError,
  type BatchNormLayerFactory,
} from '@resnet-lab/models';
import { SeededRng } from './seeded.rng';
import { TrainingError } from './training.errors';

/**
 * Runs `fn` with Math.random replaced by a seeded stream. tfjs draws its own seed from Math.random
 * whenever an op or initialiser is given none (dropout layers, any unseeded initialiser); scoping
 * the replacement to synchronous tfjs calls makes those draws reproducible, and the stream's state
 * goes into checkpoints. Restored in `finally`, so nothing outside sees it.
 */
export function withSeededMathRandom<T>(rng: SeededRng, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/**
 * The zoo's model with reproducible initial weights: same architecture + seed, same weights,
 * whichever batch-norm layer the backend brings (it creates the same weights as the stock one).
 */
export function buildSeededModel(
  arch: ArchitectureSpec,
  seed: number,
  batchNormLayer?: BatchNormLayerFactory,
): tf.LayersModel {
  return seededBuild(seed, () => buildModel(arch, { seed, ...(batchNormLayer ? { batchNormLayer } : {}) }));
}

/**
 * The network laid out for dense evaluation at `inputSize` pixels (`denseEvaluationGraph`), to be
 * given the trained weights: a fully connected head becomes convolutions, the score map averaged.
 */
export function buildDenseEvaluationModel(
  arch: ArchitectureSpec,
  inputSize: number,
  seed: number,
  batchNormLayer?: BatchNormLayerFactory,
): tf.LayersModel {
  return seededBuild(seed, () =>
    graphToModel(denseEvaluationGraph(arch, inputSize), { seed, ...(batchNormLayer ? { batchNormLayer } : {}) }),
  );
}

function seededBuild(seed: number, build: () => tf.LayersModel): tf.LayersModel {
  try {
    return withSeededMathRandom(SeededRng.fromSeed(seed, 'init'), build);
  } catch (error) {
    // The spec asks for a network the zoo cannot build: no retry will build it either.
    if (error instanceof ModelBuildError) throw new TrainingError(error.message, { retryable: false, cause: error });
    throw error;
  }
}

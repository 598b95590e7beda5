import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from './image-set.types';
import { buildBatch, buildViewBatch, type View } from './batch.builder';
import type { Normalizer } from './normalization.stats';
import { reportsTop5 } from '@resnet-lab/spec';
import { TrainingError } from './training.errors';

export interface Evaluation {
  loss: number;
  error: number;
  /** Only when there are more than 5 classes (reportsTop5). */
  top5Error?: number;
}

/** Main output of a model whose apply may return several (GoogLeNet's auxiliary heads). */
export function mainOutput(out: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(out) ? out[0]! : out;
}

/**
 * Cross-entropy, top-1 and (more than 5 classes) top-5 error of logits against labels, accumulated
 * in float64 on the JavaScript side: exact sums, independent of batch partitioning.
 */
export class LogitStats {
  private lossSum = 0;
  private wrong = 0;
  private wrong5 = 0;
  count = 0;

  constructor(private readonly classes: number) {}

  /** Adds a batch; returns how many of it were misclassified (top-1). */
  add(logits: Float32Array | Int32Array | Uint8Array, labels: Int32Array): number {
    let wrongHere = 0;
    const k = this.classes;
    for (let n = 0; n < labels.length; n++) {
      const row = n * k;
      const label = labels[n]!;
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, logits[row + j]!);
      let sumExp = 0;
      for (let j = 0; j < k; j++) sumExp += Math.exp(logits[row + j]! - max);
      this.lossSum += max + Math.log(sumExp) - logits[row + label]!;
      // Rank of the true class: how many logits beat it (ties count against it, so a constant
      // output is never scored as correct).
      const target = logits[row + label]!;
      let above = 0;
      for (let j = 0; j < k; j++) if (j !== label && logits[row + j]! >= target) above++;
      if (above >= 1) wrongHere++;
      if (above >= 5) this.wrong5++;
    }
    this.wrong += wrongHere;
    this.count += labels.length;
    return wrongHere;
  }

  result(): Evaluation {
    const c = Math.max(1, this.count);
    const out: Evaluation = { loss: this.lossSum / c, error: this.wrong / c };
    if (reportsTop5(this.classes)) out.top5Error = this.wrong5 / c;
    return out;
  }
}

/**
 * Inference-mode (batch-norm moving statistics, no dropout) metrics over a whole set. Yields to the
 * event loop between batches and returns null as soon as `signal` is aborted: evaluating 5000
 * images on a slow backend must not delay a cancel.
 */
export async function evaluate(
  model: tf.LayersModel,
  set: ImageSet,
  norm: Normalizer,
  classes: number,
  batchSize: number,
  signal?: AbortSignal,
  /** Receives each batch's logits (batch x classes) with its labels: the per-image test scores. */
  collect?: (logits: Float32Array, labels: Int32Array) => void,
): Promise<Evaluation | null> {
  const stats = new LogitStats(classes);
  for (let start = 0; start < set.count; start += batchSize) {
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) return null;
    const end = Math.min(set.count, start + batchSize);
    const { x, labels } = buildBatch(set, null, start, end, norm);
    const logits = tf.tidy(() => {
      const xs = tf.tensor4d(x, [end - start, set.height, set.width, set.channels]);
      return mainOutput(model.apply(xs, { training: false }) as tf.Tensor | tf.Tensor[]);
    });
    const values = logits.dataSync() as Float32Array;
    stats.add(values, labels);
    collect?.(values, labels);
    logits.dispose();
  }
  return stats.result();
}

/** Every test image's softmax scores and label, kept for ensembles (the comparison API averages them). */
export interface TestScores {
  classes: number;
  labels: Int32Array;
  /** count x classes, row-major. */
  probabilities: Float32Array;
}

/** Collects `evaluate`'s logits as softmax scores. */
export class TestScoreCollector {
  private readonly labels: Int32Array[] = [];
  private readonly rows: Float32Array[] = [];

  constructor(private readonly classes: number) {}

  readonly collect = (logits: Float32Array, labels: Int32Array): void => {
    const k = this.classes;
    const probabilities = new Float32Array(logits.length);
    for (let n = 0; n < labels.length; n++) {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, logits[n * k + j]!);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(logits[n * k + j]! - max);
      for (let j = 0; j < k; j++) probabilities[n * k + j] = Math.exp(logits[n * k + j]! - max) / sum;
    }
    this.rows.push(probabilities);
    this.labels.push(labels.slice());
  };

  result(): TestScores {
    const count = this.labels.reduce((a, l) => a + l.length, 0);
    const labels = new Int32Array(count);
    const probabilities = new Float32Array(count * this.classes);
    let at = 0;
    this.labels.forEach((l, i) => {
      labels.set(l, at);
      probabilities.set(this.rows[i]!, at * this.classes);
      at += l.length;
    });
    return { classes: this.classes, labels, probabilities };
  }
}

/**
 * Like `evaluate`, but each image scored through several views (the 10-crop protocol's crops and
 * flips): the views' softmax outputs are averaged, and the loss and errors are those of the
 * average (its logarithm is passed on as logits, whose softmax it is).
 */
export async function evaluateViews(
  model: tf.LayersModel,
  set: ImageSet,
  norm: Normalizer,
  classes: number,
  batchSize: number,
  views: readonly View[],
  signal?: AbortSignal,
): Promise<Evaluation | null> {
  const stats = new LogitStats(classes);
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    const sum = new Float64Array((end - start) * classes);
    let labels: Int32Array = new Int32Array(0);
    for (const view of views) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return null;
      const batch = buildViewBatch(set, start, end, norm, view);
      labels = batch.labels;
      const probs = tf.tidy(() => {
        const xs = tf.tensor4d(batch.x, [end - start, set.height, set.width, set.channels]);
        return tf.softmax(mainOutput(model.apply(xs, { training: false }) as tf.Tensor | tf.Tensor[]));
      });
      const p = probs.dataSync();
      probs.dispose();
      for (let i = 0; i < p.length; i++) sum[i]! += p[i]!;
    }
    const logMean = new Float32Array(sum.length);
    for (let i = 0; i < sum.length; i++) logMean[i] = Math.log(sum[i]! / views.length);
    stats.add(logMean, labels);
  }
  return stats.result();
}

/**
 * Dense evaluation at each size in `scales`, the softmax outputs averaged over the sizes (one size:
 * the dense protocol; several: multi-scale). Each image is resized (bilinear) to the size and run
 * through the network laid out for it (`buildAt`, see `denseEvaluationGraph`) with `model`'s
 * weights: the classifier is applied at every position and the class scores averaged. At the
 * training size it is the ordinary pass.
 */
export async function evaluateScales(
  model: tf.LayersModel,
  buildAt: (inputSize: number) => tf.LayersModel,
  set: ImageSet,
  norm: Normalizer,
  classes: number,
  batchSize: number,
  scales: readonly number[],
  signal?: AbortSignal,
): Promise<Evaluation | null> {
  // Rebuilt at the training size too: dense evaluation there must equal the ordinary pass.
  const models: tf.LayersModel[] = [];
  try {
    for (const size of scales) models.push(withWeightsOf(buildAt(size), model, size));
    const stats = new LogitStats(classes);
    for (let start = 0; start < set.count; start += batchSize) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return null;
      const end = Math.min(set.count, start + batchSize);
      const { x, labels } = buildBatch(set, null, start, end, norm);
      const logMean = tf.tidy(() => {
        const xs = tf.tensor4d(x, [end - start, set.height, set.width, set.channels]);
        const probs = scales.map((size, i) => {
          // Half-pixel centres, as the scale augmentation resizes training images.
          const input =
            size === set.height && size === set.width ? xs : tf.image.resizeBilinear(xs, [size, size], false, true);
          return tf.softmax(mainOutput(models[i]!.apply(input, { training: false }) as tf.Tensor | tf.Tensor[]));
        });
        return tf.log(tf.addN(probs).div(scales.length));
      });
      stats.add(logMean.dataSync(), labels);
      logMean.dispose();
    }
    return stats.result();
  } finally {
    for (const m of models) m.dispose();
  }
}

/**
 * `target` with `source`'s weights, matched by name (frozen layers change the order of
 * `weights`). A dense kernel goes into the convolution that replaces it in a dense-evaluation
 * network: the same numbers in the same order. A TrainingError (not retried) when a weight is
 * missing or does not fit.
 */
function withWeightsOf(target: tf.LayersModel, source: tf.LayersModel, size: number): tf.LayersModel {
  const byName = new Map(source.weights.map((w) => [w.originalName, w]));
  const fits = (w: tf.LayerVariable) => {
    const s = byName.get(w.originalName);
    if (!s) return false;
    if (s.shape.join() === w.shape.join()) return true;
    return s.shape.length === 2 && w.shape.length === 4 && s.read().size === w.read().size;
  };
  const misfit = target.weights.find((w) => !fits(w));
  if (misfit) {
    target.dispose();
    throw new TrainingError(
      `at ${size}x${size} pixels the network has other weights (${misfit.originalName}): ` +
        'dense evaluation needs the same layers at both sizes',
      { retryable: false },
    );
  }
  tf.tidy(() => target.weights.forEach((w) => w.write(byName.get(w.originalName)!.read().reshape(w.read().shape))));
  return target;
}

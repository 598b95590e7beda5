import * as tf from '@tensorflow/tfjs';
import {
  iterationsPerEpoch,
  type ExperimentSpec,
  type MetricValue,
  type ResolvedExperiment,
  type TestProtocol,
  type TrainerEvent,
} from '@resnet-lab/spec';
import { defaultDenseScales } from '@resnet-lab/models';
import { buildBatch, tenCropViews, type AugmentOptions } from './batch.builder';
import {
  evaluate,
  evaluateScales,
  evaluateViews,
  LogitStats,
  mainOutput,
  TestScoreCollector,
  type Evaluation,
  type TestScores,
} from './evaluation.metrics';
import type { LoadedDataset } from './image-set.types';
import type { LearningRateSchedule } from './lr.schedule';
import type { Normalizer } from './normalization.stats';
import type { PcaLighting } from './pca-lighting';
import { withSeededMathRandom } from './seeded-model.builder';
import type { SeededRng } from './seeded.rng';
import type { SgdMomentumOptimizer } from './sgd.optimizer';
import type { StepProfiler } from './step.profiler';
import { TrainingError } from './training.errors';
import type { TrainingState } from './training.state';
import type { TrainerLogger } from './training.loop';

/** GoogLeNet's auxiliary classifiers count 0.3 each in the training loss, as in Szegedy et al. */
const AUX_LOSS_WEIGHT = 0.3;

/** What one epoch works with; `state` and `schedule` carry over from epoch to epoch. */
export interface EpochContext {
  experiment: ResolvedExperiment;
  model: tf.LayersModel;
  variables: tf.Variable[];
  optimizer: SgdMomentumOptimizer;
  data: LoadedDataset;
  norm: Normalizer;
  signal: AbortSignal;
  onEvent: (event: TrainerEvent) => void;
  log: TrainerLogger;
  state: TrainingState;
  schedule: LearningRateSchedule;
  /** Benchmarks only: charges each step's time to its phases. */
  profiler?: StepProfiler;
  /** The training set's RGB principal components, when the dataset asks for PCA lighting. */
  lighting?: PcaLighting;
  /** Receives the centre protocol's per-image test scores whenever the test set is scored. */
  onTestScores?: (scores: TestScores) => void;
  /** The network (fresh weights) for another input size: the dense and multi-scale protocols. */
  buildAt?: (inputSize: number) => tf.LayersModel;
}

/**
 * Trains one epoch over `state.nextOrder`, evaluates it, and advances `state`; resolves with the
 * epoch's metrics, or null when the signal aborted it (at a batch boundary).
 */
export async function runEpoch(c: EpochContext): Promise<MetricValue[] | null> {
  const { training: t } = c.experiment;
  const { train, classes } = c.data;
  const epoch = c.state.epoch + 1;
  const epochStart = performance.now();
  const order = c.state.nextOrder;
  const stepsPerEpoch = iterationsPerEpoch(t, train.count);
  const stats = new LogitStats(classes);
  const augment = augmentation(c);
  let logLossSum = 0;
  let logCount = 0;
  let lr = 0;
  const p = c.profiler;
  p?.begin();
  for (let step = 0; step < stepsPerEpoch; step++) {
    // Messages (an abort from the parent process) only arrive between macrotasks.
    await new Promise((resolve) => setImmediate(resolve));
    if (c.signal.aborted) {
      c.log.info({ epoch, step }, 'aborted');
      return null;
    }
    p?.mark('yield');
    const start = step * t.batchSize;
    const batch = buildBatch(train, order, start, Math.min(train.count, start + t.batchSize), c.norm, augment);
    p?.mark('batch');
    lr = c.schedule.rate(c.state.globalStep);
    const { loss, logits } = trainStep(c, batch, lr);
    if (!Number.isFinite(loss)) {
      throw new TrainingError(
        `training loss is ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at epoch ${epoch}, step ${step + 1} ` +
          `(learning rate ${lr}): the run diverged`,
        { retryable: false },
      );
    }
    const wrong = stats.add(logits, batch.labels);
    c.schedule.observe(c.state.globalStep, wrong / batch.labels.length);
    c.state.globalStep++;
    logLossSum += loss;
    logCount++;
    p?.mark('metrics');
    if ((step + 1) % t.logEverySteps === 0 || step + 1 === stepsPerEpoch) {
      c.onEvent({ type: 'progress', epoch, step: step + 1, stepsPerEpoch, loss: logLossSum / logCount });
      logLossSum = 0;
      logCount = 0;
    }
    p?.mark('progress');
    p?.endStep(batch.labels.length);
  }
  const trainSeconds = (performance.now() - epochStart) / 1000;

  const trainStats = stats.result();
  const metrics: MetricValue[] = [
    { split: 'train', name: 'loss', value: trainStats.loss },
    { split: 'train', name: 'error', value: trainStats.error },
    { split: 'train', name: 'learning_rate', value: lr },
  ];
  const evalBatch = Math.max(t.batchSize, 256);
  let validationError: number | null = null;
  if (c.data.validation) {
    const validationStart = performance.now();
    const v = await evaluate(c.model, c.data.validation, c.norm, classes, evalBatch, c.signal);
    if (!v) return abortedInEvaluation(c, epoch);
    metrics.push(...evaluationMetrics('validation', v), {
      // Evaluation's own speed: the cost estimate fits it apart from training's.
      split: 'validation',
      name: 'images_per_second',
      value: c.data.validation.count / ((performance.now() - validationStart) / 1000),
    });
    validationError = v.error;
  }
  const isLast = epoch === t.epochs;
  if (t.evaluateTest === 'every-epoch' || (t.evaluateTest === 'final' && isLast) || !c.data.validation) {
    for (const protocol of t.testProtocols) {
      const e = await evaluateTest(c, protocol, evalBatch);
      if (!e) return abortedInEvaluation(c, epoch);
      metrics.push(...evaluationMetrics('test', e, PROTOCOL_SUFFIX[protocol]));
    }
  }
  metrics.push(
    { split: 'train', name: 'epoch_seconds', value: (performance.now() - epochStart) / 1000 },
    // The images trained: dropLastBatch leaves some out.
    {
      split: 'train',
      name: 'images_per_second',
      value: Math.min(train.count, stepsPerEpoch * t.batchSize) / trainSeconds,
    },
  );
  c.state.finishEpoch(train.count, validationError);
  return metrics;
}

/** The training batches' augmentation the dataset spec asks for, if any. */
function augmentation(c: EpochContext): AugmentOptions | undefined {
  return augmentationOptions(c.experiment.spec.dataset, c.state.rng.augment, c.lighting);
}

export function augmentationOptions(
  d: ExperimentSpec['dataset'],
  rng: SeededRng,
  lighting?: PcaLighting,
): AugmentOptions | undefined {
  if (!d.augment && !d.scaleAugment && d.pcaLighting === undefined) return undefined;
  return {
    rng,
    // Scale augmentation takes the place of pad-and-crop; lighting alone neither crops nor flips.
    padding: d.augment && !d.scaleAugment ? d.augmentPadding : 0,
    flip: (d.augment || d.scaleAugment !== undefined) && d.augmentFlip !== false,
    ...(d.scaleAugment ? { scale: d.scaleAugment } : {}),
    ...(d.pcaLighting !== undefined && lighting ? { lighting: { pca: lighting, sigma: d.pcaLighting } } : {}),
  };
}

/** The metric name suffix of each test protocol: `test.error_10crop`; the centre protocol's have none. */
const PROTOCOL_SUFFIX: Record<TestProtocol, string> = {
  center: '',
  '10-crop': '_10crop',
  dense: '_dense',
  'multi-scale': '_multiscale',
};

/** The test set scored by one protocol; null when the signal aborted it. */
async function evaluateTest(c: EpochContext, protocol: TestProtocol, batchSize: number): Promise<Evaluation | null> {
  const { model, data, norm, signal } = c;
  const t = c.experiment.training;
  const size = c.experiment.architecture.inputSize!;
  switch (protocol) {
    case 'center': {
      // Per-image scores are kept from the last epoch only.
      const isLast = c.state.epoch + 1 === t.epochs;
      if (!c.onTestScores || !isLast) return evaluate(model, data.test, norm, data.classes, batchSize, signal);
      const scores = new TestScoreCollector(data.classes);
      const e = await evaluate(model, data.test, norm, data.classes, batchSize, signal, scores.collect);
      if (e) c.onTestScores(scores.result());
      return e;
    }
    case '10-crop':
      return evaluateViews(
        model,
        data.test,
        norm,
        data.classes,
        batchSize,
        tenCropViews(t.tenCropPadding, c.experiment.spec.dataset.augmentFlip !== false),
        signal,
      );
    case 'dense':
    case 'multi-scale': {
      const scales =
        protocol === 'dense' ? [t.denseScale ?? size] : (t.testScales ?? defaultDenseScales(c.experiment.architecture));
      if (!c.buildAt)
        throw new TrainingError(`the ${protocol} protocol needs the network builder`, { retryable: false });
      return evaluateScales(model, c.buildAt, data.test, norm, data.classes, batchSize, scales, signal);
    }
  }
}

function abortedInEvaluation(c: EpochContext, epoch: number): null {
  c.log.info({ epoch }, 'aborted during evaluation');
  return null;
}

/** One SGD step on one batch: the loss (with auxiliary heads) and the main head's logits. */
function trainStep(
  c: EpochContext,
  batch: { x: Float32Array; labels: Int32Array },
  learningRate: number,
): { loss: number; logits: Float32Array } {
  const { model, variables, optimizer } = c;
  const p = c.profiler;
  const shape = c.data.train;
  const classes = c.data.classes;
  const dropoutRng: SeededRng = c.state.rng.dropout;
  const n = batch.labels.length;
  let logits: tf.Tensor | null = null;
  const { value, grads } = tf.tidy(() => {
    const xs = tf.tensor4d(batch.x, [n, shape.height, shape.width, shape.channels]);
    const ys = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes);
    p?.mark('upload');
    return withSeededMathRandom(dropoutRng, () =>
      tf.variableGrads(() => {
        const out = model.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
        const outputs = Array.isArray(out) ? out : [out];
        logits = tf.keep(mainOutput(out));
        let loss = tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, outputs[0]!);
        for (const aux of outputs.slice(1)) {
          loss = loss.add<tf.Scalar>(tf.losses.softmaxCrossEntropy(ys, aux).mul(AUX_LOSS_WEIGHT));
        }
        p?.mark('forward');
        return loss;
      }, variables),
    );
  });
  p?.mark('backward');
  try {
    optimizer.apply(grads, learningRate);
    p?.mark('optimizer');
    const out = { loss: value.dataSync()[0]!, logits: logits!.dataSync() as Float32Array };
    p?.mark('readback');
    return out;
  } finally {
    value.dispose();
    tf.dispose(grads);
    (logits as tf.Tensor | null)?.dispose();
  }
}

/** `suffix` names the test protocol (PROTOCOL_SUFFIX). */
function evaluationMetrics(
  split: 'validation' | 'test',
  e: { loss: number; error: number; top5Error?: number },
  suffix = '',
): MetricValue[] {
  const out: MetricValue[] = [
    { split, name: `loss${suffix}`, value: e.loss },
    { split, name: `error${suffix}`, value: e.error },
  ];
  if (e.top5Error !== undefined) out.push({ split, name: `top5_error${suffix}`, value: e.top5Error });
  return out;
}

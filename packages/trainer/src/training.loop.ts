import * as tf from '@tensorflow/tfjs';
import type { MetricValue, ResolvedExperiment, TrainerEvent } from '@resnet-lab/spec';
import { selectBackend } from './backend.selector';
import { buildBatch } from './batch.builder';
import type { CheckpointHeader } from './checkpoint.codec';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.codec';
import { loadDataset } from './dataset.loader';
import { evaluate, LogitStats, mainOutput } from './evaluation.metrics';
import { LearningRateSchedule } from './lr.schedule';
import { fitNormalizer } from './normalization.stats';
import { buildSeededModel, withSeededMathRandom } from './seeded-model.builder';
import { SeededRng } from './seeded.rng';
import { SgdMomentumOptimizer } from './sgd.optimizer';
import { TrainingError } from './training.errors';

export interface TrainerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RunTrainingOptions {
  /** The experiment resolved once (resolveExperiment): network, training defaults, identity. */
  experiment: ResolvedExperiment;
  /** Abort: stop at the next batch boundary and resolve { status: 'aborted' }. */
  signal: AbortSignal;
  onEvent: (event: TrainerEvent) => void;
  /** A checkpoint this trainer produced earlier; training continues exactly where it stopped. */
  resume?: { bytes: Uint8Array };
  /** Backend preference (a BACKEND_CANDIDATES name or 'auto'); undefined = the fastest that loads. */
  backend?: string;
  logger?: TrainerLogger;
}

export interface RunTrainingResult {
  status: 'completed' | 'aborted';
  backend: string;
}

/** GoogLeNet's auxiliary classifiers count 0.3 each in the training loss, as in Szegedy et al. */
const AUX_LOSS_WEIGHT = 0.3;

const silentLogger: TrainerLogger = { info() {}, warn() {} };

/**
 * Trains one experiment with a custom loop (not model.fit) so that data order, augmentation and
 * dropout randomness come from streams whose state is checkpointed: a resumed run is identical to an
 * uninterrupted one. Per epoch it emits train/validation metrics and (every checkpointEvery epochs
 * and at the end) a checkpoint.
 */
export async function runTraining(o: RunTrainingOptions): Promise<RunTrainingResult> {
  const { signal, onEvent } = o;
  const { spec, training: t, architecture: arch, hash } = o.experiment;
  const log = o.logger ?? silentLogger;
  const selection = await selectBackend(o.backend);
  onEvent({ type: 'started', backend: selection.name, backendReason: selection.reason });
  log.info({ backend: selection.name, reason: selection.reason, skipped: selection.skipped }, 'backend selected');
  if (signal.aborted) return { status: 'aborted', backend: selection.name };

  const data = await loadDataset(spec.dataset, {
    height: arch.inputSize!,
    width: arch.inputSize!,
    channels: arch.inputChannels!,
  });
  if (data.adaptation) log.info({ adaptation: data.adaptation }, 'images adapted to the network input');
  const { train, classes } = data;
  const norm = fitNormalizer(train, spec.dataset.normalization);

  const model = buildSeededModel(arch, t.seed, selection.engine?.batchNormLayer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new SgdMomentumOptimizer(variables, t.momentum, t.weightDecay, selection.engine?.sgdMomentumUpdate);
  try {
    const stepsPerEpoch = Math.ceil(train.count / t.batchSize);
    let epoch = 0;
    let globalStep = 0;
    let orderRng = SeededRng.fromSeed(t.seed, 'data-order');
    let augmentRng = SeededRng.fromSeed(t.seed, 'augment');
    let dropoutRng = SeededRng.fromSeed(t.seed, 'dropout');
    let nextOrder = orderRng.permutation(train.count);
    let best: CheckpointHeader['best'] = null;
    let scheduleState: ConstructorParameters<typeof LearningRateSchedule>[3];

    if (o.resume) {
      const ck = decodeCheckpoint(o.resume.bytes);
      if (ck.header.specHash !== hash) {
        log.warn(
          { checkpointSpecHash: ck.header.specHash, specHash: hash },
          'resuming a checkpoint written for a different spec',
        );
      }
      if (ck.header.backend !== selection.name) {
        log.warn(
          { checkpointBackend: ck.header.backend, backend: selection.name },
          'resuming on a different backend: results are not bit-identical',
        );
      }
      if (ck.dataOrder.length !== train.count) {
        throw new TrainingError(
          `checkpoint's data order covers ${ck.dataOrder.length} images, the training set has ${train.count}`,
          { retryable: false },
        );
      }
      setModelWeights(
        model,
        ck.weights,
        ck.header.weights.map((w) => w.name),
      );
      optimizer.restore(ck.velocities);
      epoch = ck.header.epoch;
      globalStep = ck.header.globalStep;
      orderRng = SeededRng.fromState(ck.header.rng.order);
      augmentRng = SeededRng.fromState(ck.header.rng.augment);
      dropoutRng = SeededRng.fromState(ck.header.rng.dropout);
      nextOrder = ck.dataOrder;
      best = ck.header.best;
      scheduleState = ck.header.schedule;
      log.info({ epoch, globalStep }, 'resumed from checkpoint');
    }
    const schedule = new LearningRateSchedule(t, stepsPerEpoch, stepsPerEpoch * t.epochs, scheduleState);

    for (epoch += 1; epoch <= t.epochs; epoch++) {
      const epochStart = performance.now();
      const order = nextOrder;
      const stats = new LogitStats(classes);
      let logLossSum = 0;
      let logCount = 0;
      let lr = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        // Messages (an abort from the parent process) only arrive between macrotasks.
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) {
          log.info({ epoch, step }, 'aborted');
          return { status: 'aborted', backend: selection.name };
        }
        const start = step * t.batchSize;
        const end = Math.min(train.count, start + t.batchSize);
        const batch = buildBatch(
          train,
          order,
          start,
          end,
          norm,
          spec.dataset.augment ? { rng: augmentRng, padding: spec.dataset.augmentPadding, flip: true } : undefined,
        );
        lr = schedule.rate(globalStep);
        const { loss, logits } = trainStep(model, variables, optimizer, dropoutRng, batch, train, classes, lr);
        if (!Number.isFinite(loss)) {
          throw new TrainingError(
            `training loss is ${Number.isNaN(loss) ? 'NaN' : 'infinite'} at epoch ${epoch}, ` +
              `step ${step + 1} (learning rate ${lr}): the run diverged`,
            { retryable: false },
          );
        }
        const wrong = stats.add(logits, batch.labels);
        schedule.observe(globalStep, wrong / batch.labels.length);
        globalStep++;
        logLossSum += loss;
        logCount++;
        if ((step + 1) % t.logEverySteps === 0 || step + 1 === stepsPerEpoch) {
          onEvent({ type: 'progress', epoch, step: step + 1, stepsPerEpoch, loss: logLossSum / logCount });
          logLossSum = 0;
          logCount = 0;
        }
      }
      const trainSeconds = (performance.now() - epochStart) / 1000;
      // Drawn now so that the checkpoint holds the next epoch's order and the generator after it.
      nextOrder = orderRng.permutation(train.count);

      const trainStats = stats.result();
      const metrics: MetricValue[] = [
        { split: 'train', name: 'loss', value: trainStats.loss },
        { split: 'train', name: 'error', value: trainStats.error },
        { split: 'train', name: 'learning_rate', value: lr },
      ];
      const evalBatch = Math.max(t.batchSize, 256);
      const aborted = () => {
        log.info({ epoch }, 'aborted during evaluation');
        return { status: 'aborted' as const, backend: selection.name };
      };
      if (data.validation) {
        const v = await evaluate(model, data.validation, norm, classes, evalBatch, signal);
        if (!v) return aborted();
        metrics.push(...evaluationMetrics('validation', v));
        if (best === null || v.error < best.validationError) best = { epoch, validationError: v.error };
      }
      const isLast = epoch === t.epochs;
      if (t.evaluateTest === 'every-epoch' || (t.evaluateTest === 'final' && isLast) || !data.validation) {
        const e = await evaluate(model, data.test, norm, classes, evalBatch, signal);
        if (!e) return aborted();
        metrics.push(...evaluationMetrics('test', e));
      }
      const epochSeconds = (performance.now() - epochStart) / 1000;
      metrics.push(
        { split: 'train', name: 'epoch_seconds', value: epochSeconds },
        { split: 'train', name: 'images_per_second', value: train.count / trainSeconds },
      );

      let checkpoint: { bytes: Uint8Array; sha256: string } | undefined;
      if (epoch % t.checkpointEvery === 0 || isLast) {
        checkpoint = encodeCheckpoint({
          header: {
            epoch,
            globalStep,
            specHash: hash,
            backend: selection.name,
            rng: { order: orderRng.state(), augment: augmentRng.state(), dropout: dropoutRng.state() },
            schedule: schedule.state(),
            best,
          },
          weights: model.weights.map((w) => ({
            name: w.originalName,
            shape: w.shape as number[],
            data: w.read().dataSync() as Float32Array,
          })),
          velocities: optimizer.state(),
          dataOrder: nextOrder,
        });
      }
      onEvent({ type: 'epoch', epoch, metrics, ...(checkpoint ? { checkpoint } : {}) });
      log.info(
        {
          epoch,
          ...Object.fromEntries(metrics.map((m) => [`${m.split}_${m.name}`, round(m.value)])),
          checkpointBytes: checkpoint?.bytes.length,
        },
        'epoch finished',
      );
    }
    return { status: 'completed', backend: selection.name };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

function trainStep(
  model: tf.LayersModel,
  variables: tf.Variable[],
  optimizer: SgdMomentumOptimizer,
  dropoutRng: SeededRng,
  batch: { x: Float32Array; labels: Int32Array },
  shape: { height: number; width: number; channels: number },
  classes: number,
  learningRate: number,
): { loss: number; logits: Float32Array } {
  const n = batch.labels.length;
  let logits: tf.Tensor | null = null;
  const { value, grads } = tf.tidy(() => {
    const xs = tf.tensor4d(batch.x, [n, shape.height, shape.width, shape.channels]);
    const ys = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes);
    return withSeededMathRandom(dropoutRng, () =>
      tf.variableGrads(() => {
        const out = model.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
        const outputs = Array.isArray(out) ? out : [out];
        logits = tf.keep(mainOutput(out));
        let loss = tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, outputs[0]!);
        for (const aux of outputs.slice(1)) {
          loss = loss.add<tf.Scalar>(tf.losses.softmaxCrossEntropy(ys, aux).mul(AUX_LOSS_WEIGHT));
        }
        return loss;
      }, variables),
    );
  });
  try {
    optimizer.apply(grads, learningRate);
    return { loss: value.dataSync()[0]!, logits: logits!.dataSync() as Float32Array };
  } finally {
    value.dispose();
    tf.dispose(grads);
    (logits as tf.Tensor | null)?.dispose();
  }
}

function evaluationMetrics(
  split: 'validation' | 'test',
  e: { loss: number; error: number; top5Error?: number },
): MetricValue[] {
  const out: MetricValue[] = [
    { split, name: 'loss', value: e.loss },
    { split, name: 'error', value: e.error },
  ];
  if (e.top5Error !== undefined) out.push({ split, name: 'top5_error', value: e.top5Error });
  return out;
}

/**
 * Sets every model weight (trainable and batch-norm statistics) in `model.weights` order. With
 * `names` (from a checkpoint header) each must match the model's weight: the zoo names its layers,
 * so a mismatch means the checkpoint belongs to another architecture.
 */
export function setModelWeights(model: tf.LayersModel, values: Float32Array[], names?: string[]): void {
  const weights = model.weights;
  if (values.length !== weights.length) {
    throw new TrainingError(`checkpoint has ${values.length} weight tensors, the model has ${weights.length}`, {
      retryable: false,
    });
  }
  weights.forEach((w, i) => {
    if (names && names[i] !== w.originalName) {
      throw new TrainingError(
        `checkpoint weight ${i} is ${names[i]}, the model's is ${w.originalName}: another architecture?`,
        {
          retryable: false,
        },
      );
    }
    const size = (w.shape as number[]).reduce((a, b) => a * b, 1);
    if (values[i]!.length !== size) {
      throw new TrainingError(
        `checkpoint weight ${i} (${w.originalName}) has ${values[i]!.length} values, ` +
          `the model needs ${size} for shape [${w.shape.join(', ')}]`,
        { retryable: false },
      );
    }
  });
  tf.tidy(() => weights.forEach((w, i) => w.write(tf.tensor(values[i]!, w.shape as number[], 'float32'))));
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}

import * as tf from '@tensorflow/tfjs';
import {
  iterationsPerEpoch,
  type DatasetAccess,
  type InitReport,
  type ResolvedExperiment,
  type TrainerEvent,
} from '@resnet-lab/spec';
import { selectBackend, type BackendSelection } from './backend.selector';
import { decodeCheckpoint, encodeCheckpoint, readCheckpointNormalizer } from './checkpoint.codec';
import { loadDataset } from './dataset.loader';
import { runEpoch, type EpochContext } from './epoch.runner';
import { LearningRateSchedule } from './lr.schedule';
import { resumeWarnings, type ResumeContext } from './resume.compat';
import { fitNormalizer, type Normalizer } from './normalization.stats';
import { fitPcaLighting } from './pca-lighting';
import { imageSize, type ImageSet } from './image-set.types';
import type { TestScores } from './evaluation.metrics';
import { buildDenseEvaluationModel, buildSeededModel } from './seeded-model.builder';
import { SgdMomentumOptimizer } from './sgd.optimizer';
import { applyPrecision, resetPrecision } from './precision';
import type { StepProfiler } from './step.profiler';
import { readModelDirWeights } from './model-dir.reader';
import { checkpointWeights, freezeLayers, loadInitWeights } from './warm-start';
import { TrainingError } from './training.errors';
import { TrainingState } from './training.state';

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
  /** The checkpoint a warm start (spec.init) loads from; ignored when resuming. */
  init?: { experiment: string; epoch: number; bytes: Uint8Array };
  /** Backend preference (a BACKEND_CANDIDATES name or 'auto'); undefined = the fastest that loads. */
  backend?: string;
  /** Dataset roots and file size limit (the worker's DATASET_ROOTS); default: DEFAULT_DATASET_ACCESS. */
  datasetAccess?: DatasetAccess;
  logger?: TrainerLogger;
  /** Benchmarks only: where each training step's time goes (scripts/bench-loop.ts). */
  profiler?: StepProfiler;
}

export interface RunTrainingResult {
  status: 'completed' | 'aborted';
  backend: string;
}

const silentLogger: TrainerLogger = { info() {}, warn() {} };

/**
 * Trains one experiment with a custom loop (not model.fit) so that data order, augmentation and
 * dropout randomness come from streams whose state is checkpointed: a resumed run is identical to an
 * uninterrupted one. Per epoch it emits train/validation metrics and (every checkpointEvery epochs
 * and at the end) a checkpoint.
 */
export async function runTraining(o: RunTrainingOptions): Promise<RunTrainingResult> {
  const { precision } = o.experiment.training;
  const selection = applyPrecision(await selectBackend(o.backend), precision);
  try {
    return await trainWith(selection, o);
  } finally {
    resetPrecision(selection, precision);
  }
}

async function trainWith(selection: BackendSelection, o: RunTrainingOptions): Promise<RunTrainingResult> {
  const { signal, onEvent } = o;
  const { spec, training: t, architecture: arch, hash } = o.experiment;
  const log = o.logger ?? silentLogger;
  onEvent({ type: 'started', backend: selection.name, backendReason: selection.reason });
  log.info({ backend: selection.name, reason: selection.reason, skipped: selection.skipped }, 'backend selected');
  if (signal.aborted) return { status: 'aborted', backend: selection.name };

  const data = await loadDataset(
    spec.dataset,
    { height: arch.inputSize!, width: arch.inputSize!, channels: arch.inputChannels! },
    o.datasetAccess,
  );
  if (data.adaptation) log.info({ adaptation: data.adaptation }, 'images adapted to the network input');
  const { train } = data;
  const norm =
    (o.resume && storedNormalizer(o.resume.bytes, spec.dataset.normalization, train, log)) ??
    fitNormalizer(train, spec.dataset.normalization);

  const model = buildSeededModel(arch, t.seed, selection.engine?.batchNormLayer);
  try {
    // Before the optimizer collects its variables: frozen layers must never be among them.
    await warmStart(model, o, log);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new SgdMomentumOptimizer(variables, t.momentum, t.weightDecay, selection.engine?.sgdMomentumUpdate);
  try {
    const stepsPerEpoch = iterationsPerEpoch(t, train.count);
    const state = o.resume
      ? resumeFrom(o.resume.bytes, model, optimizer, train.count, { specHash: hash, ...selection }, log)
      : null;
    let testScores: TestScores | undefined;
    const run: EpochContext = {
      experiment: o.experiment,
      model,
      variables,
      optimizer,
      data,
      norm,
      signal,
      onEvent,
      log,
      state: state ?? TrainingState.fresh(t.seed, train.count),
      schedule: new LearningRateSchedule(t, stepsPerEpoch, stepsPerEpoch * t.epochs, state?.schedule),
      ...(spec.dataset.pcaLighting !== undefined ? { lighting: fitPcaLighting(train) } : {}),
      // The dense and multi-scale test protocols: the network laid out for another input size.
      buildAt: (size) => buildDenseEvaluationModel(arch, size, t.seed, selection.engine?.batchNormLayer),
      // Not collected where too many to keep in one row (ImageNet's 50,000 x 1,000 would be 200 MB).
      ...(data.test.count * data.classes <= MAX_KEPT_SCORES
        ? {
            onTestScores: (scores: TestScores) => {
              testScores = scores;
            },
          }
        : {}),
      ...(o.profiler ? { profiler: o.profiler } : {}),
    };
    while (run.state.epoch < t.epochs) {
      const metrics = await runEpoch(run);
      if (!metrics) return { status: 'aborted', backend: selection.name };
      const epoch = run.state.epoch;
      const checkpoint =
        epoch % t.checkpointEvery === 0 || epoch === t.epochs ? checkpointOf(run, selection) : undefined;
      // The last epoch's per-image test scores travel with it (ensembles average them).
      const scores = epoch === t.epochs ? keptScores(testScores) : undefined;
      testScores = undefined;
      onEvent({
        type: 'epoch',
        epoch,
        metrics,
        ...(checkpoint ? { checkpoint } : {}),
        ...(scores ? { testScores: scores } : {}),
      });
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

/**
 * spec.init: freezes the layers it names (on every attempt: the network is rebuilt each time) and,
 * on a fresh start, loads the source checkpoint's weights and reports what it did.
 */
async function warmStart(model: tf.LayersModel, o: RunTrainingOptions, log: TrainerLogger): Promise<void> {
  const init = o.experiment.spec.init;
  if (!init) return;
  const frozen = freezeLayers(model, init.freeze);
  if (o.resume) return;
  let loaded: Omit<InitReport, 'frozen'>;
  if ('modelDir' in init.from) {
    const weights = await readModelDirWeights(init.from.modelDir, o.datasetAccess);
    loaded = loadInitWeights(model, init, weights, { modelDir: init.from.modelDir });
  } else if (o.init) {
    const source = { experiment: o.init.experiment, epoch: o.init.epoch };
    loaded = loadInitWeights(model, init, checkpointWeights(o.init.bytes), source);
  } else {
    throw new TrainingError('the spec asks for a warm start (init), but no source checkpoint was given', {
      retryable: false,
    });
  }
  const report = { ...loaded, frozen };
  // A frozen batch-norm layer normalises with its moving statistics (inference mode): if they were
  // not loaded, those are the initial 0 and 1 and the layer only scales and shifts.
  const unnormalised = frozen.filter((layer) => report.skipped.some((s) => s.name === `${layer}/moving_mean`));
  if (unnormalised.length > 0) {
    log.warn({ layers: unnormalised }, 'frozen batch-norm layers without loaded statistics do not normalise');
  }
  o.onEvent({ type: 'initialized', report });
  log.info(
    { loaded: report.loaded.length, skipped: report.skipped.length, frozen: frozen.length },
    'warm start from another experiment',
  );
}

/** Most per-image test scores (images x classes) kept for ensembles: 16 MB of float32. */
const MAX_KEPT_SCORES = 4_000_000;

/** Test scores as the epoch event carries them: bytes, which cross the process boundary as they are. */
function keptScores(
  s: TestScores | undefined,
): { classes: number; labels: Uint8Array; probabilities: Uint8Array } | undefined {
  if (!s) return undefined;
  return {
    classes: s.classes,
    labels: new Uint8Array(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength),
    probabilities: new Uint8Array(s.probabilities.buffer, s.probabilities.byteOffset, s.probabilities.byteLength),
  };
}

/** Weights, velocities and training state after the epoch just finished: an exact restore point. */
function checkpointOf(
  run: EpochContext,
  selection: Pick<BackendSelection, 'name' | 'numerics' | 'threads'>,
): { bytes: Uint8Array; sha256: string } {
  return encodeCheckpoint({
    header: {
      ...run.state.header(run.schedule),
      specHash: run.experiment.hash,
      backend: selection.name,
      numerics: selection.numerics,
      ...(selection.threads ? { threads: selection.threads } : {}),
    },
    weights: run.model.weights.map((w) => ({
      name: w.originalName,
      shape: w.shape as number[],
      data: w.read().dataSync() as Float32Array,
    })),
    velocities: run.optimizer.state(),
    dataOrder: run.state.nextOrder,
    normalizer: { kind: run.experiment.spec.dataset.normalization, ...run.norm },
  });
}

/**
 * A resumed run normalises its images exactly as its network was trained on them, even if the
 * training files changed in between; null (refit) where the checkpoint predates stored
 * normalisation or holds another kind or image size.
 */
function storedNormalizer(bytes: Uint8Array, kind: string, train: ImageSet, log: TrainerLogger): Normalizer | null {
  const stored = readCheckpointNormalizer(bytes);
  const size = imageSize(train);
  if (!stored || stored.kind !== kind || stored.offset.length !== size || stored.scale.length !== size) {
    if (stored) log.warn({ stored: stored.kind, kind }, 'checkpoint normalisation does not fit this run: refitted');
    return null;
  }
  return { offset: stored.offset, scale: stored.scale };
}

/** Restores weights, velocities and the training state from a checkpoint this trainer wrote. */
function resumeFrom(
  bytes: Uint8Array,
  model: tf.LayersModel,
  optimizer: SgdMomentumOptimizer,
  trainCount: number,
  current: ResumeContext,
  log: TrainerLogger,
): TrainingState {
  const ck = decodeCheckpoint(bytes);
  for (const warning of resumeWarnings(ck.header, current)) log.warn(warning.fields, warning.message);
  if (ck.dataOrder.length !== trainCount) {
    throw new TrainingError(
      `checkpoint's data order covers ${ck.dataOrder.length} images, the training set has ${trainCount}`,
      { retryable: false },
    );
  }
  setModelWeights(
    model,
    ck.weights,
    ck.header.weights.map((w) => w.name),
  );
  optimizer.restore(ck.velocities);
  const state = TrainingState.fromCheckpoint(ck);
  log.info({ epoch: state.epoch, globalStep: state.globalStep }, 'resumed from checkpoint');
  return state;
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

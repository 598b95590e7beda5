import type { ExperimentRepository } from '@resnet-lab/db';
import {
  ARCHITECTURE_CATALOG,
  canonicalJson,
  defaultTestScales,
  ExperimentSpec,
  resolveExperiment,
  type ArchitectureSpec,
  type ResolvedExperiment,
} from '@resnet-lab/spec';
import { fitNonNegative } from './least-squares';

/**
 * Cost of a grid before any compute is spent. An image costs a backend, per pass:
 *
 *     seconds per image = overhead + layer cost x layers / batch + passes x forward MACs / macsPerSecond
 *
 * - overhead: what every image costs whatever the network (batch building, copying, metrics);
 * - layer cost: what each layer costs once per step whatever its size (kernel dispatch, the
 *   framework's bookkeeping): it dominates deep narrow networks, a quarter-width ResNet-110 runs
 *   at the speed its 390 layers allow, not at the speed of its few multiply-adds;
 * - the multiply-adds (describeModel's forward MACs; a training image pays three passes: forward,
 *   backward to the data, backward to the weights).
 *
 * Training and evaluation (a forward pass at batch max(batch, 256)) are fitted apart, per backend,
 * on the measured images/s of the newest succeeded experiments and of the active slots'
 * calibration runs; evaluation was assumed a third of a training image until it was measured, and
 * on the presets' scaled-down grids (2,000 training images, 5,000 validated each epoch) that guess
 * decided most of the estimate. Every run also costs what it spends outside its epochs: a start-up
 * plus a cost per parameter for each checkpoint it writes (fitStartup).
 *
 * A term is fitted only where the measured networks differ enough in it; the MAC rate, where it
 * cannot be fitted, is the backend's documented figure below (or the fastest measured, if faster).
 */
export const FALLBACK_THROUGHPUT: Record<string, { macsPerSecond: number; source: string }> = {
  // docs/engine.md, measured on the 2-core dev machine: tfjs `cpu` trains ResNet-20 (41 M MACs forward)
  // at < 0.3 img/s, batch 128: 0.3 x 3 x 41e6.
  cpu: {
    macsPerSecond: 3.7e7,
    source: 'tfjs cpu backend, ResNet-20 at 0.3 img/s on the 2-core dev machine (docs/engine.md)',
  },
  // docs/engine.md: a plain C++ ResNet-20 step on oneDNN 2.6 runs at 710-750 img/s here.
  onednn: {
    macsPerSecond: 8.7e10,
    source: 'oneDNN C++ ResNet-20 step at 710 img/s on the 2-core dev machine (docs/engine.md)',
  },
  // Not measured on these machines (no libtensorflow, no GPU): rough assumptions, flagged as such.
  'tfjs-node': {
    macsPerSecond: 2e10,
    source: 'assumption (not measured here): libtensorflow CPU, about PyTorch CPU speed',
  },
  'tfjs-node-gpu': { macsPerSecond: 2e12, source: 'assumption (not measured here): one mid-range CUDA GPU' },
};
const DEFAULT_BACKEND = 'cpu';
/**
 * Start-up of a run before any has been measured on the backend: the demo grid's runs on the 2-core
 * development machine spent 2-4 s outside their epochs (process start, tfjs and data loading).
 */
export const FALLBACK_STARTUP_SECONDS = 3;
const CALIBRATION_SAMPLE = 50;
const TRAINING_PASSES = 3;

/** An IDX directory's size is known only to the trainer reading it: costed as MNIST-sized. */
const UNKNOWN_SPLIT_IMAGES = { train: 60_000, validation: 0, test: 10_000 };

/** Images trained per epoch, evaluated per epoch (validation) and at the end (test). */
function imageCounts(e: ResolvedExperiment): { train: number; validation: number; test: number } {
  return {
    train: e.images.train ?? UNKNOWN_SPLIT_IMAGES.train,
    validation: e.images.validation ?? UNKNOWN_SPLIT_IMAGES.validation,
    test: e.images.test ?? UNKNOWN_SPLIT_IMAGES.test,
  };
}

export interface ModelCost {
  params: number;
  flops: number;
  /** Layers of the network (describeModel's layer table): each costs a dispatch per step. */
  layers: number;
}

type Describe = (arch: ArchitectureSpec) => { params: number; flops: number; layers: unknown[] };

/** describeModel, loaded on first use (it pulls in tfjs) and memoised per network. */
export function createModelCoster(): (spec: ExperimentSpec) => Promise<ModelCost | null> {
  let describe: Describe | null = null;
  const cache = new Map<string, ModelCost | null>();
  return async (spec) => {
    describe ??= (await import('@resnet-lab/models')).describeModel as Describe;
    // The same resolution the trainer uses: the network costed is the network trained.
    const arch = resolveExperiment(spec).architecture;
    const key = canonicalJson(arch);
    if (!cache.has(key)) {
      try {
        const d = describe(arch);
        cache.set(key, { params: d.params, flops: d.flops, layers: d.layers.length });
      } catch {
        cache.set(key, null);
      }
    }
    return cache.get(key)!;
  };
}

/** What one kind of pass (training, or evaluation) costs per image on a backend. */
export interface PassCost {
  /** Seconds each image costs whatever the network. */
  overheadSecondsPerImage: number;
  /** Seconds each layer costs once per step (per batch) whatever its size. */
  layerSecondsPerStep: number;
  /** Multiply-adds per second: the part of the cost that grows with the network's arithmetic. */
  macsPerSecond: number;
}

/** What the estimate rests on, per backend: training's cost at the top level. */
export interface ThroughputModel extends PassCost {
  backend: string;
  /** Evaluation's own cost where validation passes were measured; else a third of a training image. */
  evaluation: PassCost | null;
  /** Seconds each run costs besides its epochs, whatever its network. */
  startupSeconds: number;
  /** Seconds per parameter per checkpoint written: the writes an epoch does not hide. */
  checkpointSecondsPerParam: number;
  source: string;
}

/** Checkpoints a run writes: every `checkpointEvery` epochs and after the last (training.loop.ts). */
export function checkpointsWritten(spec: ExperimentSpec): number {
  const every = spec.training.checkpointEvery ?? 1;
  const epochs = spec.training.epochs;
  return Math.floor(epochs / every) + (epochs % every === 0 ? 0 : 1);
}

/** What a run costs outside its epochs: start-up and the checkpoint writes. */
export function runOverheadSeconds(
  startup: Pick<ThroughputModel, 'startupSeconds' | 'checkpointSecondsPerParam'>,
  spec: ExperimentSpec,
  model: ModelCost,
): number {
  return startup.startupSeconds + startup.checkpointSecondsPerParam * model.params * checkpointsWritten(spec);
}

/**
 * Images per evaluation step: the training batch size, at least 256 (epoch.runner.ts), and no more
 * than the set holds (a set smaller than a batch is one short step).
 */
export function evaluationBatch(batchSize: number, setSize = Infinity): number {
  return Math.max(1, Math.min(Math.max(batchSize, 256), setSize));
}

export function secondsPerImage(pass: PassCost, model: ModelCost, batchSize: number, passes: number): number {
  return (
    pass.overheadSecondsPerImage +
    (pass.layerSecondsPerStep * model.layers) / batchSize +
    (passes * model.flops) / pass.macsPerSecond
  );
}

/**
 * How often a run scores its test set (epoch.runner.ts): after the last epoch, after every epoch,
 * or never; without a validation set it scores the test set after every epoch instead.
 */
export function testScorings(e: ResolvedExperiment): number {
  const noValidation =
    e.images.validation === 0 || (e.images.validation === null && e.spec.dataset.validationSplit === 0);
  if (noValidation || e.training.evaluateTest === 'every-epoch') return e.training.epochs;
  return e.training.evaluateTest === 'final' ? 1 : 0;
}

/**
 * One scoring of the test set, in centre passes: each protocol is scored on its own; 10-crop runs
 * ten views of every image (five for a network trained without flips); dense and multi-scale run
 * the network laid out for each test size, whose multiply-adds grow with the image's area. (The
 * multi-scale default here is 7/8, 1 and 9/8 of the input; a fully connected head drops the sizes
 * it cannot take, so this errs on the high side.)
 */
export function testPassesPerScoring(e: ResolvedExperiment): number {
  const size = e.architecture.inputSize!;
  const area = (scale: number) => (scale / size) ** 2;
  const catalog = ARCHITECTURE_CATALOG[e.architecture.family];
  let passes = 0;
  for (const protocol of e.training.testProtocols) {
    if (protocol === 'center') passes += 1;
    else if (protocol === '10-crop') passes += e.spec.dataset.augmentFlip === false ? 5 : 10;
    else if (protocol === 'dense') passes += area(e.training.denseScale ?? size);
    else {
      const scales = e.training.testScales ?? defaultTestScales(size, catalog.minInputSize);
      passes += scales.reduce((sum, scale) => sum + area(scale), 0);
    }
  }
  return passes;
}

export function estimateSeconds(spec: ExperimentSpec, model: ModelCost, throughput: ThroughputModel): number {
  const resolved = resolveExperiment(spec);
  const images = imageCounts(resolved);
  const batch = spec.training.batchSize;
  const trained = secondsPerImage(throughput, model, batch, TRAINING_PASSES);
  const evaluated = (setSize: number) =>
    throughput.evaluation
      ? secondsPerImage(throughput.evaluation, model, evaluationBatch(batch, setSize), 1)
      : trained / TRAINING_PASSES;
  return (
    runOverheadSeconds(throughput, spec, model) +
    spec.training.epochs * (images.train * trained + images.validation * evaluated(images.validation)) +
    testScorings(resolved) * testPassesPerScoring(resolved) * images.test * evaluated(images.test)
  );
}

/** One measured pass: the network's cost, the batch it ran at, and the images/s it reached. */
export interface PassSample {
  model: ModelCost;
  batchSize: number;
  imagesPerSecond: number;
}

/** A finished run's seconds outside its epochs (null where unknown) and the parameters it checkpointed. */
export interface StartupSample {
  seconds: number | null;
  /** Parameters x checkpoints written. */
  checkpointParams: number;
}

/**
 * What a run costs outside its epochs: a start-up (trainer process, data loading, model build)
 * plus a cost per parameter and checkpoint, fitted by non-negative least squares where the runs
 * differ enough in what they checkpointed (a VGG's millions of parameters cost seconds of writes a
 * CIFAR ResNet's thousands do not), else the median of what they spent. The documented fallback
 * where no run was measured.
 */
export function fitStartup(samples: StartupSample[]): {
  seconds: number;
  secondsPerCheckpointParam: number;
  measured: number;
} {
  const known = samples.filter(
    (s): s is { seconds: number; checkpointParams: number } =>
      s.seconds !== null && Number.isFinite(s.seconds) && s.seconds > 0,
  );
  if (known.length === 0) return { seconds: FALLBACK_STARTUP_SECONDS, secondsPerCheckpointParam: 0, measured: 0 };
  const fit = fitNonNegative(
    known.map((s) => [1, s.checkpointParams]),
    known.map((s) => s.seconds),
    [true, known.every((s) => s.checkpointParams > 0) && spreads(known.map((s) => s.checkpointParams))],
    known.length - 1,
  );
  // Only with a start-up beside it: a fit through the origin would put all of it on the checkpoints.
  if (fit?.used[0] && fit.used[1]) {
    return { seconds: fit.coefficients[0]!, secondsPerCheckpointParam: fit.coefficients[1]!, measured: known.length };
  }
  const sorted = known.map((s) => s.seconds).sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { seconds: median, secondsPerCheckpointParam: 0, measured: known.length };
}

/**
 * Below this ratio of the largest to the smallest value among the measured networks, a term is not
 * fitted: the demo grid's depth-8 and depth-14 nets (1.5x apart) would fit run-to-run noise.
 */
const SEPARABLE_SPREAD = 2;

const spreads = (values: number[]) =>
  values.length > 0 && Math.max(...values) >= SEPARABLE_SPREAD * Math.min(...values);

/**
 * A fitted MAC rate at most this many times the best any measured network reached (its MACs over
 * its whole time): three noisy calibrations fitted exactly can leave a MAC coefficient near zero,
 * whose rate would cost a network 100x larger as nearly free.
 */
export const MAX_RATE_OVER_MEASURED = 4;

export interface PassFit extends PassCost {
  /** Whether the MAC rate was fitted (else: the given rate, or the fastest measured). */
  macsFitted: boolean;
  /** Whether the fitted MAC rate was beyond MAX_RATE_OVER_MEASURED and held there. */
  macsCapped: boolean;
}

/**
 * A pass's cost from measured samples: non-negative least squares on relative error over the three
 * terms, each only where the samples differ enough in it, and never more terms than the points
 * allow (`spare`: points beyond one per term: 1 for finished runs, which are noisy; 0 for a slot's
 * calibration, whose networks were chosen far apart). Where the MAC rate is not fitted it is
 * `fallbackMacsPerSecond`, raised to the fastest rate measured; where the fitted one is beyond
 * MAX_RATE_OVER_MEASURED it is held there; either way the other terms are then fitted on what the
 * samples took beyond their MACs.
 */
export function fitPassCost(samples: PassSample[], passes: number, fallbackMacsPerSecond: number, spare = 1): PassFit {
  const points = samples
    .filter((s) => s.model.flops > 0 && s.imagesPerSecond > 0 && Number.isFinite(s.imagesPerSecond))
    .map((s) => ({ x: [1, s.model.layers / s.batchSize, passes * s.model.flops], y: 1 / s.imagesPerSecond }));
  const rows = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const maxTerms = points.length - spare;
  const layerSpread = spreads(rows.map((r) => r[1]!));
  const fastestMeasured = Math.max(0, ...points.map((p) => p.x[2]! / p.y));
  const full = fitNonNegative(rows, ys, [true, layerSpread, spreads(rows.map((r) => r[2]!))], maxTerms);
  if (full && full.coefficients[2]! > 0) {
    const [overhead, layer, mac] = full.coefficients as [number, number, number];
    if (1 / mac <= MAX_RATE_OVER_MEASURED * fastestMeasured) {
      return {
        overheadSecondsPerImage: overhead,
        layerSecondsPerStep: layer,
        macsPerSecond: 1 / mac,
        macsFitted: true,
        macsCapped: false,
      };
    }
    return { ...fitBeyondMacs(MAX_RATE_OVER_MEASURED * fastestMeasured), macsFitted: true, macsCapped: true };
  }
  // A run faster per MAC than the documented figure shows that figure is too low for this machine.
  return { ...fitBeyondMacs(Math.max(fallbackMacsPerSecond, fastestMeasured)), macsFitted: false, macsCapped: false };

  /** Overhead and per-layer cost fitted on what the samples took beyond their MACs at `rate`. */
  function fitBeyondMacs(rate: number): PassCost {
    const beyond = points.map((p) => Math.max(0, p.y - p.x[2]! / rate));
    const rest = fitNonNegative(
      rows.map((r) => r.slice(0, 2)),
      beyond,
      [true, layerSpread],
      Math.max(1, maxTerms),
      ys,
    );
    return {
      overheadSecondsPerImage: rest?.coefficients[0] ?? 0,
      layerSecondsPerStep: rest?.coefficients[1] ?? 0,
      macsPerSecond: rate,
    };
  }
}

/** A finished run or a calibration run, as the fit reads it. */
export interface MeasuredRun {
  spec: unknown;
  imagesPerSecond: number;
  evaluationImagesPerSecond?: number | null;
}

/**
 * The model to cost with: fitted on runs measured on `backend`, else constants. Without a requested
 * backend: the one the active workers' slots use now, else that of the newest finished run.
 */
export async function throughputFor(
  experiments: Pick<ExperimentRepository, 'newestBackend' | 'throughputSamples'>,
  cost: (spec: ExperimentSpec) => Promise<ModelCost | null>,
  requested?: string,
  workersBackend?: () => Promise<string | null>,
  /** What the active workers' slots on `backend` measured when they started (their calibration). */
  workersCalibration?: (backend: string) => Promise<MeasuredRun[]>,
): Promise<ThroughputModel> {
  const backend = requested ?? (await workersBackend?.()) ?? (await experiments.newestBackend()) ?? DEFAULT_BACKEND;
  const training: PassSample[] = [];
  const evaluation: PassSample[] = [];
  const startups: StartupSample[] = [];
  const add = async (row: MeasuredRun & { startupSeconds?: number | null }) => {
    const spec = ExperimentSpec.safeParse(row.spec);
    const model = spec.success ? await cost(spec.data).catch(() => null) : null;
    if (!spec.success || !model) return false;
    if (row.startupSeconds !== undefined) {
      startups.push({ seconds: row.startupSeconds, checkpointParams: model.params * checkpointsWritten(spec.data) });
    }
    if (!(row.imagesPerSecond > 0)) return false;
    const batchSize = spec.data.training.batchSize;
    training.push({ model, batchSize, imagesPerSecond: row.imagesPerSecond });
    if (row.evaluationImagesPerSecond && row.evaluationImagesPerSecond > 0) {
      const validation = resolveExperiment(spec.data).images.validation ?? undefined;
      evaluation.push({
        model,
        batchSize: evaluationBatch(batchSize, validation),
        imagesPerSecond: row.evaluationImagesPerSecond,
      });
    }
    return true;
  };
  let finished = 0;
  for (const row of await experiments.throughputSamples(backend, CALIBRATION_SAMPLE)) {
    if (await add(row)) finished++;
  }
  // The slots' own measurements: this machine's speed before any of its runs has finished.
  let calibrations = 0;
  const calibrationRows = ((await workersCalibration?.(backend)) ?? []).slice(0, CALIBRATION_SAMPLE);
  for (const row of calibrationRows) if (await add(row)) calibrations++;
  const startup = fitStartup(startups);
  const fallback = FALLBACK_THROUGHPUT[backend] ?? FALLBACK_THROUGHPUT[DEFAULT_BACKEND]!;
  const spare = calibrations > 0 ? 0 : 1;
  const { macsFitted, macsCapped, ...trainingCost } = fitPassCost(
    training,
    TRAINING_PASSES,
    fallback.macsPerSecond,
    spare,
  );
  // Evaluation's MACs run no slower than training's where they cannot be fitted.
  const evaluationFit = evaluation.length > 0 ? fitPassCost(evaluation, 1, trainingCost.macsPerSecond, spare) : null;
  const evaluationCost = evaluationFit && {
    overheadSecondsPerImage: evaluationFit.overheadSecondsPerImage,
    layerSecondsPerStep: evaluationFit.layerSecondsPerStep,
    macsPerSecond: evaluationFit.macsPerSecond,
  };
  return {
    backend,
    ...trainingCost,
    evaluation: evaluationCost,
    startupSeconds: startup.seconds,
    checkpointSecondsPerParam: startup.secondsPerCheckpointParam,
    source: describeSource({
      backend,
      finished,
      calibrations,
      measured: training.length,
      macsFitted,
      macsCapped,
      fallback: fallback.source,
      evaluationPasses: evaluation.length,
      startupRuns: startup.measured,
      checkpointCosted: startup.secondsPerCheckpointParam > 0,
    }),
  };
}

/** Where the estimate's figures come from, in words (shown beside every estimate). */
function describeSource(o: {
  backend: string;
  finished: number;
  calibrations: number;
  measured: number;
  macsFitted: boolean;
  macsCapped: boolean;
  fallback: string;
  evaluationPasses: number;
  startupRuns: number;
  checkpointCosted: boolean;
}): string {
  const runs = [
    o.finished > 0 ? `the ${o.finished} newest succeeded experiments` : '',
    o.calibrations > 0 ? `${o.calibrations} calibration runs of the active worker slots` : '',
  ]
    .filter(Boolean)
    .join(' and ')
    .concat(` on ${o.backend}`);
  const capped = o.macsCapped ? `, the rate held at ${MAX_RATE_OVER_MEASURED}x the best measured` : '';
  const training =
    o.measured === 0
      ? `constant: ${o.fallback}`
      : o.macsFitted
        ? `measured: fitted on ${runs} (seconds per image = overhead + layers x cost per layer and step / batch + ` +
          `passes x forward MACs / rate)${capped}`
        : `measured overhead and per-layer cost over ${runs}; MAC rate: ${o.fallback} or the fastest measured`;
  const evaluation =
    o.evaluationPasses > 0
      ? `evaluation fitted on ${o.evaluationPasses} measured validation passes`
      : 'evaluation costed as a third of a training image (no validation pass measured)';
  const startup =
    o.startupRuns > 0
      ? o.checkpointCosted
        ? `start-up per run and cost per checkpointed parameter: fitted on ${o.startupRuns} runs`
        : `start-up per run: median of ${o.startupRuns} runs`
      : `start-up per run: ${FALLBACK_STARTUP_SECONDS} s, not yet measured on ${o.backend}`;
  return `${training}; ${evaluation}; ${startup}`;
}

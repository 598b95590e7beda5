import type { ExperimentRepository } from '@resnet-lab/db';
import {
  canonicalJson,
  ExperimentSpec,
  resolveExperiment,
  type ArchitectureSpec,
  type ResolvedExperiment,
} from '@resnet-lab/spec';

/**
 * Cost of a grid before any compute is spent. A training image costs a backend a fixed part (batch
 * building, per-layer dispatch, metrics: about the same for a small network as for a large one)
 * plus a part proportional to the network's multiply-adds (describeModel's forward MACs, three
 * times over: forward, backward to the data, backward to the weights):
 *
 *     seconds per training image = overhead + 3 x forward MACs / macsPerSecond
 *
 * and every run costs a start-up besides its epochs (claim, trainer process start, data loading,
 * model build, the last writes): the median of what the measured runs spent outside their epochs.
 * On short runs it is most of the time (the demo grid's runs were predicted 7x too fast without it).
 *
 * Both are fitted per backend on the newest succeeded experiments' measured images/s. One constant
 * MAC rate taken from small networks (which use the cores poorly) overestimated a ResNet-20 twenty
 * times over; the fixed part is what those small networks mostly measure. Where the measured
 * networks are too alike in size to separate the two parts, the rate is the backend's documented
 * figure below (or the fastest rate measured, if faster) and the overhead is fitted alone.
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
}

type Describe = (arch: ArchitectureSpec) => { params: number; flops: number };

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
        cache.set(key, { params: d.params, flops: d.flops });
      } catch {
        cache.set(key, null);
      }
    }
    return cache.get(key)!;
  };
}

/** What the estimate rests on, per backend. */
export interface ThroughputModel {
  backend: string;
  /** Training multiply-adds (forward and backward) per second: the part of the cost that grows with the network. */
  macsPerSecond: number;
  /** Seconds each training image costs besides its multiply-adds. */
  overheadSecondsPerImage: number;
  /** Seconds each run costs besides its epochs. */
  startupSeconds: number;
  source: string;
}

export function secondsPerTrainingImage(model: ThroughputModel, flops: number): number {
  return model.overheadSecondsPerImage + (TRAINING_PASSES * flops) / model.macsPerSecond;
}

export function estimateSeconds(spec: ExperimentSpec, flops: number, model: ThroughputModel): number {
  const images = imageCounts(resolveExperiment(spec));
  const trained = secondsPerTrainingImage(model, flops);
  // An evaluated image is one forward pass of the three a training image costs.
  const evaluated = trained / TRAINING_PASSES;
  return (
    model.startupSeconds +
    spec.training.epochs * (images.train * trained + images.validation * evaluated) +
    images.test * evaluated
  );
}

/** A finished run: its network's forward MACs per image and the training images/s it measured. */
export interface ThroughputSample {
  flops: number;
  imagesPerSecond: number;
}

/** The median start-up of measured runs (null where unknown), else the documented fallback. */
export function fitStartup(startups: (number | null)[]): { seconds: number; measured: number } {
  const known = startups.filter((s): s is number => s !== null && Number.isFinite(s) && s >= 0).sort((a, b) => a - b);
  if (known.length === 0) return { seconds: FALLBACK_STARTUP_SECONDS, measured: 0 };
  const mid = known.length / 2;
  const median = known.length % 2 === 1 ? known[Math.floor(mid)]! : (known[mid - 1]! + known[mid]!) / 2;
  return { seconds: median, measured: known.length };
}

/** Below this ratio of the largest to the smallest network measured, the two parts are not separable. */
const SEPARABLE_SPREAD = 4;

/**
 * Overhead and MAC rate from measured runs: a least-squares line of seconds per image against
 * training MACs where the networks differ enough in size, else the given rate with the overhead
 * alone fitted (the median of what each run took beyond its MACs).
 */
export function fitThroughput(
  samples: ThroughputSample[],
  fallbackMacsPerSecond: number,
  /** Points a line needs: 3 for finished runs (noisy); 2 where a slot calibration chose them far apart. */
  minPoints = 3,
): { macsPerSecond: number; overheadSecondsPerImage: number; fitted: 'line' | 'overhead' } {
  const points = samples
    .filter((s) => s.flops > 0 && s.imagesPerSecond > 0 && Number.isFinite(s.imagesPerSecond))
    .map((s) => ({ x: TRAINING_PASSES * s.flops, y: 1 / s.imagesPerSecond }));
  const xs = points.map((p) => p.x);
  if (points.length >= minPoints && Math.max(...xs) >= SEPARABLE_SPREAD * Math.min(...xs)) {
    const meanX = xs.reduce((a, b) => a + b, 0) / points.length;
    const meanY = points.reduce((a, p) => a + p.y, 0) / points.length;
    const sxx = points.reduce((a, p) => a + (p.x - meanX) ** 2, 0);
    const slope = points.reduce((a, p) => a + (p.x - meanX) * (p.y - meanY), 0) / sxx;
    const intercept = meanY - slope * meanX;
    if (slope > 0 && intercept >= 0) {
      return { macsPerSecond: 1 / slope, overheadSecondsPerImage: intercept, fitted: 'line' };
    }
  }
  // A run faster per MAC than the documented figure shows that figure is too low for this machine.
  const rate = Math.max(fallbackMacsPerSecond, ...points.map((p) => p.x / p.y));
  const beyond = points.map((p) => Math.max(0, p.y - p.x / rate)).sort((a, b) => a - b);
  const overhead = beyond.length > 0 ? beyond[Math.floor(beyond.length / 2)]! : 0;
  return { macsPerSecond: rate, overheadSecondsPerImage: overhead, fitted: 'overhead' };
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
  workersCalibration?: (backend: string) => Promise<{ spec: unknown; imagesPerSecond: number }[]>,
): Promise<ThroughputModel> {
  const backend = requested ?? (await workersBackend?.()) ?? (await experiments.newestBackend()) ?? DEFAULT_BACKEND;
  const samples: ThroughputSample[] = [];
  const startups: (number | null)[] = [];
  const add = async (row: { spec: unknown; imagesPerSecond: number }) => {
    const spec = ExperimentSpec.safeParse(row.spec);
    const model = spec.success ? await cost(spec.data).catch(() => null) : null;
    if (!model || !(row.imagesPerSecond > 0)) return false;
    samples.push({ flops: model.flops, imagesPerSecond: row.imagesPerSecond });
    return true;
  };
  let finished = 0;
  for (const row of await experiments.throughputSamples(backend, CALIBRATION_SAMPLE)) {
    startups.push(row.startupSeconds);
    if (await add(row)) finished++;
  }
  // The slots' own measurements: this machine's speed before any of its runs has finished.
  let calibrations = 0;
  const calibrationRows = ((await workersCalibration?.(backend)) ?? []).slice(0, CALIBRATION_SAMPLE);
  for (const row of calibrationRows) if (await add(row)) calibrations++;
  const startup = fitStartup(startups);
  const fallback = FALLBACK_THROUGHPUT[backend] ?? FALLBACK_THROUGHPUT[DEFAULT_BACKEND]!;
  const fit = fitThroughput(samples, fallback.macsPerSecond, calibrations > 0 ? 2 : 3);
  const runs = [
    finished > 0 ? `the ${finished} newest succeeded experiments` : '',
    calibrations > 0 ? `${calibrations} calibration runs of the active worker slots` : '',
  ]
    .filter(Boolean)
    .join(' and ')
    .concat(` on ${backend}`);
  const rate = fit.macsPerSecond === fallback.macsPerSecond ? fallback.source : 'that of the fastest of them';
  const source =
    samples.length === 0
      ? `constant: ${fallback.source}`
      : fit.fitted === 'line'
        ? `measured: fitted on ${runs} (seconds per image = overhead + 3 x forward MACs / rate)`
        : `measured overhead per image over ${runs}; MAC rate: ${rate}`;
  const startupSource =
    startup.measured > 0
      ? `start-up per run: median of ${startup.measured} runs`
      : `start-up per run: ${FALLBACK_STARTUP_SECONDS} s, not yet measured on ${backend}`;
  return {
    backend,
    macsPerSecond: fit.macsPerSecond,
    overheadSecondsPerImage: fit.overheadSecondsPerImage,
    startupSeconds: startup.seconds,
    source: `${source}; ${startupSource}`,
  };
}

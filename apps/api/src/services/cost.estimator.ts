import type { ExperimentRepository } from '@resnet-lab/db';
import {
  canonicalJson,
  ExperimentSpec,
  resolveExperiment,
  type ArchitectureSpec,
  type ResolvedExperiment,
} from '@resnet-lab/spec';

/**
 * Cost of a grid before any compute is spent: the model zoo's forward multiply-adds per image
 * (describeModel), times the images an experiment sees, divided by a backend's throughput.
 *
 * Throughput is measured wherever possible: the median, over the newest succeeded experiments on
 * that backend, of `train.images_per_second x 3 x forward MACs` (a training step is about three
 * forward passes: forward, backward to the data, backward to the weights). Without such
 * experiments it falls back to the constants below.
 */
export const FALLBACK_THROUGHPUT: Record<string, { macsPerSecond: number; source: string }> = {
  // docs/engine.md, measured on the 2-core dev machine: tfjs `cpu` trains ResNet-20 (41 M MACs forward)
  // at < 0.3 img/s, batch 128: 0.3 x 3 x 41e6.
  cpu: {
    macsPerSecond: 3.7e7,
    source: 'constant: tfjs cpu backend, ResNet-20 at 0.3 img/s on the 2-core dev machine (docs/engine.md)',
  },
  // docs/engine.md: a plain C++ ResNet-20 step on oneDNN 2.6 runs at 710-750 img/s here; the engine's
  // target, so an optimistic figure until experiments measure it.
  onednn: {
    macsPerSecond: 8.7e10,
    source:
      'constant: oneDNN C++ ResNet-20 step at 710 img/s on the 2-core dev machine (docs/engine.md); an upper bound',
  },
  // Not measured on these machines (no libtensorflow, no GPU): rough assumptions, flagged as such.
  'tfjs-node': {
    macsPerSecond: 2e10,
    source: 'assumption (not measured here): libtensorflow CPU, about PyTorch CPU speed',
  },
  'tfjs-node-gpu': { macsPerSecond: 2e12, source: 'assumption (not measured here): one mid-range CUDA GPU' },
};
const DEFAULT_BACKEND = 'cpu';
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

export function estimateSeconds(spec: ExperimentSpec, flops: number, macsPerSecond: number): number {
  const images = imageCounts(resolveExperiment(spec));
  const perEpoch = images.train * TRAINING_PASSES + images.validation;
  return ((spec.training.epochs * perEpoch + images.test) * flops) / macsPerSecond;
}

/** The throughput to cost with: measured on `backend` (or the newest backend used), else a constant. */
export async function throughputFor(
  experiments: Pick<ExperimentRepository, 'newestBackend' | 'throughputSamples'>,
  cost: (spec: ExperimentSpec) => Promise<ModelCost | null>,
  requested?: string,
): Promise<{ backend: string; macsPerSecond: number; source: string }> {
  const backend = requested ?? (await experiments.newestBackend()) ?? DEFAULT_BACKEND;
  const measured: number[] = [];
  for (const row of await experiments.throughputSamples(backend, CALIBRATION_SAMPLE)) {
    const spec = ExperimentSpec.safeParse(row.spec);
    const model = spec.success ? await cost(spec.data).catch(() => null) : null;
    if (model && row.imagesPerSecond > 0) measured.push(row.imagesPerSecond * TRAINING_PASSES * model.flops);
  }
  if (measured.length > 0) {
    measured.sort((a, b) => a - b);
    return {
      backend,
      macsPerSecond: measured[Math.floor(measured.length / 2)]!,
      source:
        `measured: median over the ${measured.length} newest succeeded experiments on ${backend} ` +
        '(train images_per_second x 3 x forward MACs)',
    };
  }
  const fallback = FALLBACK_THROUGHPUT[backend] ?? FALLBACK_THROUGHPUT[DEFAULT_BACKEND]!;
  return { backend, ...fallback };
}

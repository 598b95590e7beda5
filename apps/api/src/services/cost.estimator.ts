import type { Db } from '@resnet-lab/db';
import {
  canonicalJson,
  datasetShape,
  validationCount,
  type ArchitectureSpec,
  type DatasetSpec,
  type ExperimentSpec,
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

/** Training images of a dataset per epoch, and images evaluated per epoch (validation) and at the end (test). */
function imageCounts(d: DatasetSpec): { train: number; validation: number; test: number } {
  const file = d.name === 'synthetic' ? d.trainSize : d.name === 'cifar10' ? 50_000 : 60_000; // idx: MNIST-sized unless subset says less
  const testFile = d.name === 'synthetic' ? d.testSize : 10_000;
  const validation = validationCount(d.validationSplit, file);
  return {
    train: Math.min(d.subset ?? Infinity, file - validation),
    validation,
    test: Math.min(d.testSubset ?? Infinity, testFile),
  };
}

export function architectureFor(spec: ExperimentSpec): ArchitectureSpec {
  const shape = datasetShape(spec.dataset);
  return {
    ...spec.architecture,
    inputSize: spec.architecture.inputSize ?? shape.height,
    inputChannels: spec.architecture.inputChannels ?? shape.channels,
    numClasses: spec.architecture.numClasses ?? shape.classes,
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
    const arch = architectureFor(spec);
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
  const images = imageCounts(spec.dataset);
  const perEpoch = images.train * TRAINING_PASSES + images.validation;
  return ((spec.training.epochs * perEpoch + images.test) * flops) / macsPerSecond;
}

/** The throughput to cost with: measured on `backend` (or the newest backend used), else a constant. */
export async function throughputFor(
  db: Db,
  cost: (spec: ExperimentSpec) => Promise<ModelCost | null>,
  requested?: string,
): Promise<{ backend: string; macsPerSecond: number; source: string }> {
  let backend = requested;
  if (!backend) {
    const newest = await db.experiment.findFirst({
      where: { status: 'succeeded', backend: { not: null } },
      orderBy: { finishedAt: 'desc' },
      select: { backend: true },
    });
    backend = newest?.backend ?? DEFAULT_BACKEND;
  }
  const rows = await db.$queryRaw<{ spec: ExperimentSpec; ips: number }[]>`
    SELECT e.spec, s."lastValue" AS ips FROM "Experiment" e
    JOIN "MetricSummary" s ON s."experimentId" = e.id AND s.split = 'train' AND s.name = 'images_per_second'
    WHERE e.status = 'succeeded' AND e.backend = ${backend}
    ORDER BY e."finishedAt" DESC NULLS LAST LIMIT ${CALIBRATION_SAMPLE}`;
  const measured: number[] = [];
  for (const row of rows) {
    const model = await cost(row.spec).catch(() => null);
    if (model && row.ips > 0) measured.push(row.ips * TRAINING_PASSES * model.flops);
  }
  if (measured.length > 0) {
    measured.sort((a, b) => a - b);
    return {
      backend,
      macsPerSecond: measured[Math.floor(measured.length / 2)]!,
      source: `measured: median over the ${measured.length} newest succeeded experiments on ${backend} (train images_per_second x 3 x forward MACs)`,
    };
  }
  const fallback = FALLBACK_THROUGHPUT[backend] ?? FALLBACK_THROUGHPUT[DEFAULT_BACKEND]!;
  return { backend, ...fallback };
}

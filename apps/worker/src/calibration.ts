import { randomUUID } from 'node:crypto';
import {
  ExperimentSpec,
  resolveExperiment,
  type ArchitectureSpecInput,
  type SlotCalibration,
  type TrainerEvent,
} from '@resnet-lab/spec';
import type { Slot } from './slots';
import type { TrainerHandle, TrainerRun } from './trainer-process';

/**
 * A reference network the slot trains for a few seconds at start. Three per backend, far apart in
 * multiply-adds and in layer count, so that the estimator can separate what an image costs
 * regardless of the network (batch building), what each layer costs per step (dispatch, which
 * dominates deep narrow nets) and what grows with the multiply-adds.
 */
interface Reference {
  architecture: ArchitectureSpecInput & { depth: number };
  imageSize: number;
  channels: number;
  batchSize: number;
  /** Images per epoch: a few batches, so that an epoch takes about a second. */
  images: number;
  /** Images of the validation pass timed beside training. */
  validation: number;
}

/**
 * tfjs' pure-JS `cpu` backend trains a ResNet-20 at well under 1 image/s: only tiny nets there (the
 * end-to-end tests' network, the same three times as wide: about nine times the multiply-adds, and
 * a deeper narrow one: twice the layers).
 */
const SLOW_BACKEND_REFERENCES: Reference[] = [
  {
    architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
    imageSize: 8,
    channels: 1,
    batchSize: 16,
    images: 32,
    validation: 32,
  },
  {
    architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.75 },
    imageSize: 8,
    channels: 1,
    batchSize: 16,
    images: 32,
    validation: 32,
  },
  {
    architecture: { family: 'cifar-resnet', depth: 20, widthMultiplier: 0.25 },
    imageSize: 8,
    channels: 1,
    batchSize: 16,
    images: 32,
    validation: 32,
  },
];

/**
 * A small narrow net, ResNet-20 on 28x28 greyscale (the Fashion-MNIST recipe's network), and a deep
 * narrow one (ResNet-56 at quarter width: six times the small one's layers, a fifth of ResNet-20's
 * multiply-adds), as the presets' scaled-down grids train.
 */
const FAST_BACKEND_REFERENCES: Reference[] = [
  {
    architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.5 },
    imageSize: 16,
    channels: 1,
    batchSize: 64,
    images: 256,
    // Two evaluation batches (256 images each).
    validation: 512,
  },
  {
    architecture: { family: 'cifar-resnet', depth: 20 },
    imageSize: 28,
    channels: 1,
    batchSize: 128,
    images: 384,
    validation: 512,
  },
  {
    architecture: { family: 'cifar-resnet', depth: 56, widthMultiplier: 0.25 },
    imageSize: 28,
    channels: 1,
    batchSize: 128,
    images: 384,
    validation: 512,
  },
];

export function calibrationReferences(backend: string | undefined): ExperimentSpec[] {
  const references = backend === 'cpu' ? SLOW_BACKEND_REFERENCES : FAST_BACKEND_REFERENCES;
  return references.map((r) =>
    ExperimentSpec.parse({
      name: `calibration ${r.architecture.family}-${r.architecture.depth} x${r.architecture.widthMultiplier ?? 1}`,
      architecture: { ...r.architecture, inputSize: r.imageSize, inputChannels: r.channels, numClasses: 10 },
      dataset: {
        name: 'synthetic',
        // The validation images are taken out of trainSize.
        trainSize: r.images + r.validation,
        testSize: 16,
        imageSize: r.imageSize,
        channels: r.channels,
        classes: 10,
        validationSplit: r.validation,
      },
      // The second epoch is the one measured: the first pays for kernel and primitive creation.
      training: { epochs: 2, batchSize: r.batchSize, checkpointEvery: 1_000, evaluateTest: 'final' },
    }),
  );
}

export interface CalibrateOptions {
  slot: Slot;
  /** TRAINER_BACKEND when forced; otherwise the trainer picks, as for a job. */
  backend?: string;
  startTrainer: (run: TrainerRun) => TrainerHandle;
  /** Aborted when the worker stops before calibration ended. */
  signal: AbortSignal;
}

/**
 * Trains each reference network for two short epochs in a trainer child with the slot's own
 * environment (its threads and devices) and records the second epoch's training images/s: what
 * this slot delivers on this machine now, before any run of its own has finished. Null when the
 * signal stopped it; an Error when a reference run failed.
 */
export async function calibrateSlot(o: CalibrateOptions): Promise<SlotCalibration | null> {
  let backend = o.backend && o.backend !== 'auto' ? o.backend : undefined;
  let references = calibrationReferences(backend);
  const samples: SlotCalibration['samples'] = [];
  for (let i = 0; i < references.length; i++) {
    if (o.signal.aborted) return null;
    const spec = references[i]!;
    const measured = await measure(o, spec, backend !== 'cpu');
    if (measured === 'slow-backend') {
      // The trainer chose tfjs' cpu backend: its own, smaller references instead.
      backend = 'cpu';
      references = calibrationReferences(backend);
      i = -1;
      continue;
    }
    if (!measured) return null;
    const { backend: used, ...speeds } = measured;
    backend = used;
    samples.push({ name: spec.name!, spec, ...speeds });
  }
  return backend ? { backend, measuredAt: new Date().toISOString(), samples } : null;
}

interface Measured {
  backend: string;
  imagesPerSecond: number;
  evaluationImagesPerSecond?: number;
}

/** One reference run; 'slow-backend' when it was stopped because the trainer chose `cpu`. */
async function measure(
  o: CalibrateOptions,
  spec: ExperimentSpec,
  stopIfSlow: boolean,
): Promise<Measured | 'slow-backend' | null> {
  let backend: string | null = null;
  let imagesPerSecond: number | null = null;
  let evaluationImagesPerSecond: number | undefined;
  let slow = false;
  const trainer = o.startTrainer({
    experimentId: randomUUID(),
    experiment: resolveExperiment(spec),
    // As many threads as a job of this slot gets on idle cores.
    env: o.slot.threads ? { ...o.slot.env, OMP_NUM_THREADS: String(o.slot.threads.max) } : o.slot.env,
    onEvent: (event: TrainerEvent) => {
      if (event.type === 'started') {
        backend = event.backend;
        if (stopIfSlow && backend === 'cpu') {
          slow = true;
          trainer.abort(1_000);
        }
      }
      if (event.type === 'epoch' && event.epoch === 2) {
        const speed = (split: string) =>
          event.metrics.find((v) => v.split === split && v.name === 'images_per_second')?.value;
        imagesPerSecond = speed('train') ?? null;
        evaluationImagesPerSecond = speed('validation');
      }
      return Promise.resolve();
    },
    ...(o.backend ? { backend: o.backend } : {}),
  });
  const stop = () => trainer.abort(1_000);
  o.signal.addEventListener('abort', stop);
  const exit = await trainer.exited.finally(() => o.signal.removeEventListener('abort', stop));
  if (slow) return 'slow-backend';
  if (o.signal.aborted) return null;
  if (exit.kind !== 'completed' || backend === null || imagesPerSecond === null) {
    const why = exit.kind === 'failed' || exit.kind === 'crashed' ? `: ${exit.message}` : '';
    throw new Error(`calibration run ${spec.name} ended ${exit.kind}${why}`);
  }
  return { backend, imagesPerSecond, ...(evaluationImagesPerSecond ? { evaluationImagesPerSecond } : {}) };
}

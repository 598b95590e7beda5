import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ARCHITECTURE_CATALOG, ArchitectureSpec, normalizeArchitecture } from './architecture';
import { datasetShape, DatasetSpec } from './dataset';
import { InitSpec } from './init';
import { resolveTrainingSpec, TrainingSpec } from './training';

/** What a researcher submits for one experiment; every part has defaults. */
export const ExperimentSpec = z
  .object({
    name: z.string().min(1).max(200).optional(),
    architecture: ArchitectureSpec.default(() => ArchitectureSpec.parse({})),
    dataset: DatasetSpec.default(() => DatasetSpec.parse({ name: 'synthetic' })),
    training: TrainingSpec.default(() => TrainingSpec.parse({})),
    /** Starting weights from another experiment's checkpoint; absent: He initialisation. */
    init: InitSpec.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    // The network must fit the data: the trainer pads or resizes images, and converts grey to
    // colour or back, but it cannot invent classes or other channel counts.
    const data = datasetShape(spec.dataset);
    const { numClasses, inputChannels } = spec.architecture;
    if (numClasses !== undefined && numClasses !== data.classes) {
      ctx.addIssue({
        code: 'custom',
        path: ['architecture', 'numClasses'],
        message: `the dataset has ${data.classes} classes; leave numClasses out or set it to ${data.classes}`,
      });
    }
    if (spec.dataset.pcaLighting !== undefined && (inputChannels ?? data.channels) !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataset', 'pcaLighting'],
        message: 'PCA lighting shifts colours: it needs 3-channel (RGB) inputs',
      });
    }
    // A scale-augmented image is cropped back to the network's input: it must be at least that big.
    const inputSize = spec.architecture.inputSize ?? Math.max(data.height, data.width);
    if (spec.dataset.scaleAugment && spec.dataset.scaleAugment.min < inputSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataset', 'scaleAugment', 'min'],
        message: `the network takes ${inputSize}x${inputSize} crops; min must be at least ${inputSize}`,
      });
    }
    // Dense and multi-scale test sizes must be networks the family can build.
    const minSize = ARCHITECTURE_CATALOG[spec.architecture.family].minInputSize;
    for (const [field, sizes] of [
      ['denseScale', spec.training.denseScale === undefined ? [] : [spec.training.denseScale]],
      ['testScales', spec.training.testScales ?? []],
    ] as const) {
      const small = sizes.find((size) => size < minSize);
      if (small !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['training', field],
          message: `${spec.architecture.family} needs inputs of at least ${minSize} pixels, got ${small}`,
        });
      }
    }
    if (spec.training.evaluateTest === 'never' && spec.dataset.validationSplit === 0) {
      // With nothing held out, the test set is the only per-epoch evaluation there is.
      ctx.addIssue({
        code: 'custom',
        path: ['training', 'evaluateTest'],
        message:
          'with dataset.validationSplit 0 the test set is evaluated every epoch; ' +
          "use 'every-epoch' or hold out a validation split",
      });
    }
    if (inputChannels !== undefined && inputChannels !== data.channels && inputChannels !== 1 && data.channels !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['architecture', 'inputChannels'],
        message: `the dataset has ${data.channels} channels; inputChannels must be ${data.channels} or 1 (grey)`,
      });
    }
  });
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpec>;

/** JSON with object keys sorted recursively: the same spec always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * sha256 of the canonical JSON of the fully defaulted spec, without its display name: two
 * submissions that train the same thing (seed included) hash the same, whatever defaults they
 * spelled out.
 */
export function specHash(spec: ExperimentSpec): string {
  return createHash('sha256')
    .update(canonicalJson(specIdentity(spec)))
    .digest('hex');
}

/**
 * What decides an experiment's results: the normalised network, the dataset and the training
 * recipe with every default filled in. Bookkeeping that cannot change a result (display name, log
 * and checkpoint cadence, how many checkpoints to keep) is left out, so that a grid reuses an
 * experiment that differs only in those.
 */
export function specIdentity(spec: ExperimentSpec): object {
  const {
    logEverySteps: _log,
    checkpointEvery: _every,
    keepLastCheckpoints: _keep,
    testProtocols,
    tenCropPadding,
    denseScale,
    testScales,
    dropLastBatch,
    precision,
    ...training
  } = resolveTrainingSpec(spec.training);
  // Test protocols count only when they differ from the default (centre only), so specs from before
  // they existed keep their hashes; each protocol's own setting only with that protocol.
  const protocols =
    testProtocols.length === 1 && testProtocols[0] === 'center'
      ? {}
      : {
          testProtocols,
          ...(testProtocols.includes('10-crop') ? { tenCropPadding } : {}),
          ...(testProtocols.includes('dense') && denseScale !== undefined ? { denseScale } : {}),
          ...(testProtocols.includes('multi-scale') && testScales !== undefined ? { testScales } : {}),
        };
  // augmentFlip only where it turns flips off that augment or scaleAugment would make.
  const { augmentFlip, ...dataset } = spec.dataset;
  const flips = spec.dataset.augment || spec.dataset.scaleAugment !== undefined;
  return {
    architecture: normalizeArchitecture(spec.architecture),
    dataset: { ...dataset, ...(augmentFlip === false && flips ? { augmentFlip } : {}) },
    // Likewise dropLastBatch and precision only when they differ from the default.
    training: {
      ...training,
      ...protocols,
      ...(dropLastBatch ? { dropLastBatch } : {}),
      ...(precision !== 'fp32' ? { precision } : {}),
    },
    ...(spec.init ? { init: spec.init } : {}),
  };
}

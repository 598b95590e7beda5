import { z } from 'zod';
import { ArchitectureSpec } from './architecture';
import { datasetShape, knownTrainSize, validationCount, type DatasetSpec } from './dataset';
import { ExperimentSpec, specHash } from './experiment';
import { resolveTrainingSpec, TrainingSpec } from './training';

/**
 * An experiment with everything that follows from its spec worked out once: the network's input
 * and output sizes, every training default, how many images each split has, and its identity.
 * The API (costing, storing), the worker and the trainer all use this one resolution, so they can
 * never describe different networks for the same spec. It crosses into the trainer child process
 * as it is, hence a schema.
 */
export const ResolvedExperiment = z.object({
  /** The spec as submitted (zod defaults applied). */
  spec: ExperimentSpec,
  /** The network with inputSize, inputChannels and numClasses filled from the dataset. */
  architecture: ArchitectureSpec,
  // Refinements were checked on the spec; this schema only carries the resolved fields across.
  training: z.object(TrainingSpec.shape).required().partial({ denseScale: true, testScales: true }),
  /** Images per split; null where only reading the files can tell (an IDX directory without subset). */
  images: z.object({
    train: z.number().int().nullable(),
    validation: z.number().int().nullable(),
    test: z.number().int().nullable(),
  }),
  /** specHash: equal for specs that train the same thing. */
  hash: z.string(),
});
export type ResolvedExperiment = z.infer<typeof ResolvedExperiment>;

export function resolveExperiment(spec: ExperimentSpec): ResolvedExperiment {
  return {
    spec,
    architecture: resolveArchitecture(spec),
    training: resolveTrainingSpec(spec.training),
    images: imageCounts(spec.dataset),
    hash: specHash(spec),
  };
}

/** The network with its input and classes taken from the dataset where the spec leaves them out. */
export function resolveArchitecture(spec: ExperimentSpec): ResolvedExperiment['architecture'] {
  const shape = datasetShape(spec.dataset);
  const a = spec.architecture;
  return {
    ...a,
    // A non-square dataset gets a square network of its larger side; the loader zero-pads the
    // other side. An explicit inputSize is honoured: the loader pads (larger) or resamples.
    inputSize: a.inputSize ?? Math.max(shape.height, shape.width),
    inputChannels: a.inputChannels ?? shape.channels,
    numClasses: a.numClasses ?? shape.classes,
  };
}

function imageCounts(d: DatasetSpec): ResolvedExperiment['images'] {
  const file = knownTrainSize(d);
  const testFile = d.labels ? null : d.name === 'synthetic' ? d.testSize : d.name === 'idx' ? null : 10_000;
  const validation = file === null ? null : validationCount(d.validationSplit, file);
  const left = file === null || validation === null ? null : file - validation;
  const train = d.subset === undefined ? left : left === null ? d.subset : Math.min(d.subset, left);
  const test =
    d.testSubset === undefined ? testFile : testFile === null ? d.testSubset : Math.min(d.testSubset, testFile);
  return { train, validation, test };
}

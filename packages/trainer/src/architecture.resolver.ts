import type { ArchitectureSpec, ExperimentSpec } from '@resnet-lab/spec';
import { datasetShape } from '@resnet-lab/spec';

/**
 * The architecture with its dataset-dependent fields filled: inside an experiment, an undefined
 * inputSize / inputChannels / numClasses means "follow the dataset". A non-square dataset gives
 * the larger side (the loader pads the other). An explicit inputSize that differs from the
 * images' is honoured: the loader zero-pads (larger) or resamples (smaller) the images, e.g.
 * MNIST 28x28 -> 32x32 for LeNet-5.
 */
export function resolveArchitecture(spec: Pick<ExperimentSpec, 'architecture' | 'dataset'>): ArchitectureSpec {
  const shape = datasetShape(spec.dataset);
  const a = spec.architecture;
  return {
    ...a,
    inputSize: a.inputSize ?? Math.max(shape.height, shape.width),
    inputChannels: a.inputChannels ?? shape.channels,
    numClasses: a.numClasses ?? shape.classes,
  };
}

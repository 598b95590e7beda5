import { resolveExperiment, type DatasetAccess, type ExperimentSpec } from '@resnet-lab/spec';
import { buildBatch } from './batch.builder';
import { loadDataset } from './dataset.loader';
import type { ImageSet } from './image-set.types';
import { imageSize } from './image-set.types';
import { fitNormalizer, type Normalizer } from './normalization.stats';

/**
 * An experiment's test split exactly as its training evaluated it: the same subset, fitted to the
 * network's input, normalised with statistics of the same training split. The training images
 * are dropped once the statistics are taken.
 */
export interface ProbeImages {
  test: ImageSet;
  norm: Normalizer;
  classes: number;
}

export async function loadProbeImages(spec: ExperimentSpec, access?: DatasetAccess): Promise<ProbeImages> {
  const arch = resolveExperiment(spec).architecture;
  const data = await loadDataset(
    spec.dataset,
    { height: arch.inputSize!, width: arch.inputSize!, channels: arch.inputChannels! },
    access,
  );
  return { test: data.test, norm: fitNormalizer(data.train, spec.dataset.normalization), classes: data.classes };
}

/** Test image `index`: its bytes (HWC, as stored) and the normalised float input of the network. */
export function probeImage(
  images: ProbeImages,
  index: number,
): { pixels: Uint8Array; input: Float32Array; label: number } {
  const { test } = images;
  if (!Number.isInteger(index) || index < 0 || index >= test.count) {
    throw new RangeError(
      `image ${index} is out of range: the test split has ${test.count} images (0..${test.count - 1})`,
    );
  }
  const size = imageSize(test);
  return {
    pixels: test.images.slice(index * size, (index + 1) * size),
    input: buildBatch(test, null, index, index + 1, images.norm).x,
    label: test.labels[index]!,
  };
}

import type { DatasetSpec } from '@resnet-lab/spec';
import { SeededRng } from './seeded.rng';
import type { ImageSet } from './image-set.types';

type SyntheticSpec = Extract<DatasetSpec, { name: 'synthetic' }>;

/**
 * Each class has a random prototype image; an example is half prototype, half uniform noise. Easy
 * enough that a tiny network learns it in a few epochs, noisy enough that it is not instant.
 */
export function syntheticDataset(d: SyntheticSpec): { train: ImageSet; test: ImageSet } {
  const size = d.imageSize * d.imageSize * d.channels;
  const protoRng = SeededRng.fromSeed(d.dataSeed, 'synthetic-prototypes');
  const prototypes = new Uint8Array(d.classes * size);
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = protoRng.int(256);

  const make = (count: number, stream: string): ImageSet => {
    const rng = SeededRng.fromSeed(d.dataSeed, stream);
    const images = new Uint8Array(count * size);
    const labels = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      const label = rng.int(d.classes);
      labels[n] = label;
      for (let i = 0; i < size; i++) {
        images[n * size + i] = Math.round(0.5 * prototypes[label * size + i]! + 0.5 * rng.int(256));
      }
    }
    return { images, labels, count, height: d.imageSize, width: d.imageSize, channels: d.channels };
  };
  return { train: make(d.trainSize, 'synthetic-train'), test: make(d.testSize, 'synthetic-test') };
}

/**
 * Images are kept as the bytes the files hold (NHWC, uint8): CIFAR-10 as float32 would be 600 MB.
 * Batches are normalised (and augmented) on the fly.
 */
export interface ImageSet {
  images: Uint8Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export interface LoadedDataset {
  train: ImageSet;
  /** null when validationSplit is 0. */
  validation: ImageSet | null;
  test: ImageSet;
  classes: number;
  /** What was done to fit the images to the network's input, for the log. */
  adaptation: string | null;
}

export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/** The images at `indices`, in that order. */
export function pick(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]!;
    images.set(set.images.subarray(src * size, (src + 1) * size), i * size);
    labels[i] = set.labels[src]!;
  }
  return { ...set, images, labels, count: indices.length };
}

/**
 * Only the images whose label is in `labels`, relabelled to its position there (`labels: [5, 6]`
 * turns 5 into 0 and 6 into 1), in their original order.
 */
export function keepLabels(set: ImageSet, labels: readonly number[]): ImageSet {
  const position = new Map(labels.map((label, i) => [label, i]));
  const kept: number[] = [];
  for (let i = 0; i < set.count; i++) if (position.has(set.labels[i]!)) kept.push(i);
  const out = pick(set, kept);
  for (let i = 0; i < out.count; i++) out.labels[i] = position.get(out.labels[i]!)!;
  return out;
}

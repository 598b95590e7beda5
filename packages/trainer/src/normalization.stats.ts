import type { Normalization } from '@resnet-lab/spec';
import type { ImageSet } from './image-set.types';
import { imageSize } from './image-set.types';

/** value = (byte - offset[i]) * scale[i], i the position in the HWC image. */
export interface Normalizer {
  offset: Float32Array;
  scale: Float32Array;
}

/**
 * Statistics come from the training split only (never validation or test), in float64 so the
 * result does not depend on summation order tricks.
 */
export function fitNormalizer(train: ImageSet, kind: Normalization): Normalizer {
  const size = imageSize(train);
  const c = train.channels;
  const offset = new Float32Array(size);
  const scale = new Float32Array(size);
  if (kind === 'unit-range') {
    scale.fill(1 / 255);
    return { offset, scale };
  }
  if (kind === 'per-pixel-mean') {
    // The ResNet paper's CIFAR recipe subtracts the mean image; dividing by 255 keeps the inputs near
    // unit scale so that the paper's learning rate applies.
    const sum = new Float64Array(size);
    for (let n = 0; n < train.count; n++) {
      const base = n * size;
      for (let i = 0; i < size; i++) sum[i]! += train.images[base + i]!;
    }
    for (let i = 0; i < size; i++) offset[i] = sum[i]! / Math.max(1, train.count);
    scale.fill(1 / 255);
    return { offset, scale };
  }
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  const total = train.count * train.height * train.width;
  for (let i = 0; i < train.images.length; i++) {
    const v = train.images[i]!;
    sum[i % c]! += v;
    sumSq[i % c]! += v * v;
  }
  for (let i = 0; i < size; i++) {
    const ch = i % c;
    const mean = sum[ch]! / Math.max(1, total);
    const variance = Math.max(0, sumSq[ch]! / Math.max(1, total) - mean * mean);
    offset[i] = mean;
    // A constant channel (blank test images) must not divide by zero.
    scale[i] = 1 / Math.max(Math.sqrt(variance), 1e-3);
  }
  return { offset, scale };
}

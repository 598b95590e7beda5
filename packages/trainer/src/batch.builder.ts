import type { ImageSet } from './image-set.types';
import { imageSize } from './image-set.types';
import type { Normalizer } from './normalization.stats';
import { drawLighting, type PcaLighting } from './pca-lighting';
import type { SeededRng } from './seeded.rng';

export interface AugmentOptions {
  rng: SeededRng;
  /** Pixels of zero padding on each side before the random crop back to size. */
  padding: number;
  flip: boolean;
  /**
   * Scale augmentation instead of pad-and-crop: the image resized so its shorter side is S, drawn
   * per image from [min, max], then a random crop of the image's own size, flipped at random.
   */
  scale?: { min: number; max: number };
  /** AlexNet's PCA lighting: per image, the principal components weighted by N(0, sigma) draws. */
  lighting?: { pca: PcaLighting; sigma: number };
}

/**
 * The float32 NHWC batch of images `order[start..end)`, normalised, and augmented when `augment` is
 * given: the paper's pad-and-random-crop plus horizontal flip. Padded pixels are black (byte 0)
 * before normalisation, as torchvision's RandomCrop(padding=4) does. Random numbers are drawn per
 * image in a fixed order, so the same rng state always gives the same batch.
 */
export function buildBatch(
  set: ImageSet,
  /** Indices into `set`; null for the set's own order (evaluation). */
  order: ArrayLike<number> | null,
  start: number,
  end: number,
  norm: Normalizer,
  augment?: AugmentOptions,
): { x: Float32Array; labels: Int32Array } {
  const size = imageSize(set);
  const n = end - start;
  const x = new Float32Array(n * size);
  const labels = new Int32Array(n);
  const { offset, scale } = norm;
  for (let b = 0; b < n; b++) {
    const src = order === null ? start + b : order[start + b]!;
    labels[b] = set.labels[src]!;
    const srcBase = src * size;
    const dstBase = b * size;
    if (!augment) {
      for (let i = 0; i < size; i++) x[dstBase + i] = (set.images[srcBase + i]! - offset[i]!) * scale[i]!;
      continue;
    }
    // Draws in a fixed order per image (crop, then lighting), so a batch is a function of the rng state.
    if (augment.scale) {
      // The flip is drawn either way, so that turning it off leaves the crops where they were.
      const crop = { ...scaledCrop(set, augment.scale, augment.rng), ...(augment.flip ? {} : { flip: false }) };
      writeScaledCrop(set, srcBase, x, dstBase, crop, norm, lightingOf(augment));
      continue;
    }
    const p = augment.padding;
    const dy = augment.rng.int(2 * p + 1) - p;
    const dx = augment.rng.int(2 * p + 1) - p;
    const flip = augment.flip && augment.rng.next() < 0.5;
    writeView(set, srcBase, x, dstBase, { dy, dx, flip }, norm, lightingOf(augment));
  }
  return { x, labels };
}

/** A fixed crop of the zero-padded image: shifted by (dy, dx) pixels, flipped horizontally or not. */
export interface View {
  dy: number;
  dx: number;
  flip: boolean;
}

/**
 * The 10-crop test protocol's views of an image padded by `padding` on each side: the four corner
 * crops and the centre crop (the image itself), each also flipped; without `flips` (a network
 * trained without them, dataset.augmentFlip false) the five unflipped crops only.
 */
export function tenCropViews(padding: number, flips = true): View[] {
  const views: View[] = [];
  for (const flip of flips ? [false, true] : [false]) {
    for (const [dy, dx] of [
      [-padding, -padding],
      [-padding, padding],
      [padding, -padding],
      [padding, padding],
      [0, 0],
    ] as const) {
      views.push({ dy, dx, flip });
    }
  }
  return views;
}

/** Images `start..end)` of the set, in its order, each seen through `view`, normalised. */
export function buildViewBatch(
  set: ImageSet,
  start: number,
  end: number,
  norm: Normalizer,
  view: View,
): { x: Float32Array; labels: Int32Array } {
  const size = imageSize(set);
  const n = end - start;
  const x = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    labels[b] = set.labels[start + b]!;
    writeView(set, (start + b) * size, x, b * size, view, norm);
  }
  return { x, labels };
}

/** One image through a view: pixels shifted in from outside the image are black (byte 0) before normalisation. */
function writeView(
  set: ImageSet,
  srcBase: number,
  x: Float32Array,
  dstBase: number,
  view: View,
  norm: Normalizer,
  shift?: Float32Array,
) {
  const { height: h, width: w, channels: c } = set;
  const { offset, scale } = norm;
  const { dy, dx, flip } = view;
  for (let y = 0; y < h; y++) {
    const sy = y + dy;
    for (let xx = 0; xx < w; xx++) {
      const sx = (flip ? w - 1 - xx : xx) + dx;
      const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      const dst = (y * w + xx) * c;
      for (let ch = 0; ch < c; ch++) {
        const byte = inside ? set.images[srcBase + (sy * w + sx) * c + ch]! : 0;
        x[dstBase + dst + ch] = (byte + (shift?.[ch] ?? 0) - offset[dst + ch]!) * scale[dst + ch]!;
      }
    }
  }
}

/** The image's lighting shift (byte units per channel), drawn when the augmentation has one. */
function lightingOf(augment: AugmentOptions): Float32Array | undefined {
  return augment.lighting ? drawLighting(augment.lighting.pca, augment.lighting.sigma, augment.rng) : undefined;
}

/** Where one scale-augmented crop comes from: the resized image's size and the crop's corner in it. */
export interface ScaledCrop {
  /** Resized height and width (the shorter side is the drawn S). */
  height: number;
  width: number;
  top: number;
  left: number;
  flip: boolean;
}

/** Draws S, the crop's corner and the flip, in that order (a fixed order keeps batches reproducible). */
export function scaledCrop(set: ImageSet, range: { min: number; max: number }, rng: SeededRng): ScaledCrop {
  const side = range.min + rng.int(range.max - range.min + 1);
  const factor = side / Math.min(set.height, set.width);
  const height = Math.max(set.height, Math.round(set.height * factor));
  const width = Math.max(set.width, Math.round(set.width * factor));
  const top = rng.int(height - set.height + 1);
  const left = rng.int(width - set.width + 1);
  return { height, width, top, left, flip: rng.next() < 0.5 };
}

/**
 * One image resized (bilinear, pixel centres aligned as in PyTorch's and TensorFlow's default) to
 * crop.height x crop.width, cropped at (top, left) back to the image's own size, maybe flipped.
 */
export function writeScaledCrop(
  set: ImageSet,
  srcBase: number,
  x: Float32Array,
  dstBase: number,
  crop: ScaledCrop,
  norm: Normalizer,
  shift?: Float32Array,
): void {
  const { height: h, width: w, channels: c } = set;
  const { offset, scale } = norm;
  const fy = h / crop.height;
  const fx = w / crop.width;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + crop.top + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = sy - y0;
    for (let xx = 0; xx < w; xx++) {
      const rx = (crop.flip ? w - 1 - xx : xx) + crop.left;
      const sx = Math.min(w - 1, Math.max(0, (rx + 0.5) * fx - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = sx - x0;
      const dst = (y * w + xx) * c;
      for (let ch = 0; ch < c; ch++) {
        const at = (yy: number, xq: number) => set.images[srcBase + (yy * w + xq) * c + ch]!;
        const top = at(y0, x0) * (1 - tx) + at(y0, x1) * tx;
        const bottom = at(y1, x0) * (1 - tx) + at(y1, x1) * tx;
        const value = top * (1 - ty) + bottom * ty;
        x[dstBase + dst + ch] = (value + (shift?.[ch] ?? 0) - offset[dst + ch]!) * scale[dst + ch]!;
      }
    }
  }
}

import type { ImageSet } from './image-set.types';
import type { SeededRng } from './seeded.rng';

/** The principal components of the training set's RGB values (on a 0-1 scale): AlexNet's lighting noise. */
export interface PcaLighting {
  /** Eigenvalues, largest first. */
  values: [number, number, number];
  /** vectors[i] is the unit eigenvector of values[i], as [r, g, b]. */
  vectors: [number, number, number][];
}

/** The covariance of every training pixel's [r, g, b] / 255, in float64, and its eigen decomposition. */
export function fitPcaLighting(train: ImageSet): PcaLighting {
  if (train.channels !== 3) throw new Error(`PCA lighting needs 3 channels, got ${train.channels}`);
  const sum = [0, 0, 0];
  const products = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const pixels = train.images.length / 3;
  for (let p = 0; p < pixels; p++) {
    const rgb = [train.images[3 * p]! / 255, train.images[3 * p + 1]! / 255, train.images[3 * p + 2]! / 255];
    for (let i = 0; i < 3; i++) {
      sum[i]! += rgb[i]!;
      for (let j = 0; j < 3; j++) products[3 * i + j]! += rgb[i]! * rgb[j]!;
    }
  }
  const n = Math.max(1, pixels);
  const covariance = products.map((v, k) => v / n - (sum[Math.floor(k / 3)]! / n) * (sum[k % 3]! / n));
  return symmetricEigen3(covariance);
}

/**
 * Eigenvalues and eigenvectors of a symmetric 3x3 matrix (row-major) by Jacobi rotations: a few
 * sweeps reach double precision for a matrix this small.
 */
export function symmetricEigen3(matrix: number[]): PcaLighting {
  const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => matrix[3 * i + j]!));
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0]![1]! ** 2 + a[0]![2]! ** 2 + a[1]![2]! ** 2;
    if (off < 1e-30) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      if (Math.abs(a[p]![q]!) < 1e-300) continue;
      const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[k]![p]!;
        const akq = a[k]![q]!;
        a[k]![p] = c * akp - s * akq;
        a[k]![q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p]![k]!;
        const aqk = a[q]![k]!;
        a[p]![k] = c * apk - s * aqk;
        a[q]![k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k]![p]!;
        const vkq = v[k]![q]!;
        v[k]![p] = c * vkp - s * vkq;
        v[k]![q] = s * vkp + c * vkq;
      }
    }
  }
  const [i0, i1, i2] = [0, 1, 2].sort((i, j) => a[j]![j]! - a[i]![i]!) as [number, number, number];
  const vector = (i: number): [number, number, number] => [v[0]![i]!, v[1]![i]!, v[2]![i]!];
  return {
    values: [a[i0]![i0]!, a[i1]![i1]!, a[i2]![i2]!],
    vectors: [vector(i0), vector(i1), vector(i2)],
  };
}

/**
 * One image's lighting shift in byte units, per channel: 255 x sum_i alpha_i sqrt(lambda_i) p_i
 * with alpha_i drawn from N(0, sigma) (Box-Muller on the seeded stream, three normals per image).
 * Each component is weighted by the spread of the data along it (the square root of its
 * eigenvalue), so the shift does not depend on the scale the pixels are measured in; AlexNet's
 * text says "eigenvalue", which on 0-255 pixels would shift colours by hundreds of levels.
 */
export function drawLighting(pca: PcaLighting, sigma: number, rng: SeededRng): Float32Array {
  const shift = new Float32Array(3);
  for (let i = 0; i < 3; i++) {
    const u = Math.max(rng.next(), Number.MIN_VALUE);
    const alpha = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
    const spread = Math.sqrt(Math.max(0, pca.values[i]!));
    for (let ch = 0; ch < 3; ch++) shift[ch]! += 255 * alpha * spread * pca.vectors[i]![ch]!;
  }
  return shift;
}

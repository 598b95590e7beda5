// BatchMatMul and _FusedMatMul share this: oneDNN sgemm per batch item, bias and ReLU fused.
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { backendOf, output, sizeOf, type KernelArgs } from './kernel-utils';

/** Runs the product, or returns null when the shapes need a broadcast the native path lacks. */
export function nativeMatMul(
  args: KernelArgs,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | null,
  relu: boolean,
): TensorInfo | null {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const aItems = sizeOf(aBatch);
  const bItems = sizeOf(bBatch);
  const sameBatch = aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i]);
  if (!sameBatch && aItems !== 1 && bItems !== 1) return null;
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const k = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kb = transposeB ? b.shape[br - 1]! : b.shape[br - 2]!;
  const n = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  // An empty inner dimension (a product of zeros) is left to the cpu kernel.
  if (k !== kb || k === 0) return null;
  if (bias && !(sizeOf(bias.shape) === 1 || (sizeOf(bias.shape) === n && bias.shape[bias.shape.length - 1] === n))) {
    return null;
  }
  // The broadcast of the two batch shapes ([m,k] x [1,k,n] is [1,m,n], as tfjs' cpu kernel has it).
  const batchShape = backend_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const batch = Math.max(aItems, bItems);
  const backend = backendOf(args);
  const out = output(backend, [...batchShape, m, n]);
  if (m * n === 0) return out.info;
  backend.addon.matmul(
    backend.values(a.dataId),
    backend.values(b.dataId),
    out.values,
    batch,
    m,
    n,
    k,
    transposeA,
    transposeB,
    aItems === 1 ? 0 : m * k,
    bItems === 1 ? 0 : k * n,
    bias ? backend.values(bias.dataId) : null,
    relu,
  );
  return out.info;
}

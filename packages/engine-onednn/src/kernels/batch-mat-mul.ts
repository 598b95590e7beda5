// BatchMatMul (tf.matMul, dense layers without bias, their gradients) on oneDNN's sgemm.
import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, fallback, isFloat32, type KernelArgs } from './kernel-utils';
import { nativeMatMul } from './mat-mul-kernel';

export function batchMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  if (!isFloat32(a, b)) return fallback(BatchMatMul, args);
  return nativeMatMul(args, a, b, transposeA, transposeB, null, false) ?? fallback(BatchMatMul, args);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: BACKEND_NAME,
  kernelFunc: batchMatMul,
};

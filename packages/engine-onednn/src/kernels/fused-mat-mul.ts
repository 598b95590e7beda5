// _FusedMatMul (tf.layers' dense: matmul + bias + activation) on sgemm with bias and ReLU fused;
// other activations and PReLU use the cpu kernel.
import { _FusedMatMul, type _FusedMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, fallback, isFloat32, type KernelArgs } from './kernel-utils';
import { nativeMatMul } from './mat-mul-kernel';

export function fusedMatMul(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = args.attrs as unknown as _FusedMatMulAttrs;
  const activation = attrs.activation ?? 'linear';
  if (!isFloat32(a, b, bias) || preluActivationWeights != null || (activation !== 'linear' && activation !== 'relu')) {
    return fallback(_FusedMatMul, args);
  }
  return (
    nativeMatMul(args, a!, b!, attrs.transposeA, attrs.transposeB, bias ?? null, activation === 'relu') ??
    fallback(_FusedMatMul, args)
  );
}

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: BACKEND_NAME,
  kernelFunc: fusedMatMul,
};

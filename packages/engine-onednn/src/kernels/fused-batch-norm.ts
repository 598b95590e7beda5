// FusedBatchNorm with given statistics (tf.layers' BatchNormalization at inference, tf.batchNorm)
// as one native pass when the statistics are per last-axis channel or scalars.
import { FusedBatchNorm, type FusedBatchNormAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export function fusedBatchNorm(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x, mean, variance, scale, offset } = args.inputs as Record<string, TensorInfo | undefined>;
  const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
  const c = x!.shape[x!.shape.length - 1] ?? 1;
  const perChannel = (t: TensorInfo | undefined) =>
    t == null || sizeOf(t.shape) === 1 || (sizeOf(t.shape) === c && t.shape[t.shape.length - 1] === c);
  if (
    !isFloat32(x, mean, variance, scale, offset) ||
    x!.shape.length === 0 ||
    ![mean, variance, scale, offset].every(perChannel)
  ) {
    return fallback(FusedBatchNorm, args);
  }
  const backend = backendOf(args);
  const out = output(backend, x!.shape);
  const v = (t: TensorInfo | undefined) => (t == null ? null : backend.values(t.dataId));
  backend.addon.batchNormInference(v(x)!, v(mean)!, v(variance)!, v(scale), v(offset), out.values, c, varianceEpsilon);
  return out.info;
}

export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: BACKEND_NAME,
  kernelFunc: fusedBatchNorm,
};

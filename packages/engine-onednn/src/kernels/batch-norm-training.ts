// OnednnBatchNormTraining: batch norm in training mode as one kernel (tfjs itself decomposes it
// into moments + batchNorm, dozens of JavaScript ops per layer). Inputs x (channels last), gamma,
// beta; outputs y and the batch mean and biased variance (for the moving averages).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, output, sizeOf, type KernelArgs } from './kernel-utils';

export const BATCH_NORM_TRAINING = 'OnednnBatchNormTraining';

export type BatchNormTrainingAttrs = { epsilon: number };

/** oneDNN's view of a channels-last tensor: [n, h, w, c] as given, or [size / c, 1, 1, c]. */
export function bnDims(shape: number[]): [number, number, number, number] {
  const c = shape[shape.length - 1]!;
  if (shape.length === 4) return shape as [number, number, number, number];
  return [sizeOf(shape) / c, 1, 1, c];
}

export function batchNormTraining(args: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const { epsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const backend = backendOf(args);
  const [n, h, w, c] = bnDims(x.shape);
  const y = output(backend, x.shape);
  const mean = output(backend, [c]);
  const variance = output(backend, [c]);
  backend.addon.batchNormTraining(
    backend.values(x.dataId),
    backend.values(gamma.dataId),
    backend.values(beta.dataId),
    y.values,
    mean.values,
    variance.values,
    n,
    h,
    w,
    c,
    epsilon,
  );
  return [y.info, mean.info, variance.info];
}

export const batchNormTrainingConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAINING,
  backendName: BACKEND_NAME,
  kernelFunc: batchNormTraining,
};

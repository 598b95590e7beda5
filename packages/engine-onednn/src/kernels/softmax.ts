// Softmax over the last axis, natively.
import { type KernelConfig, Softmax, type SoftmaxAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export function softmax(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { logits } = args.inputs as { logits: TensorInfo };
  const { dim } = args.attrs as unknown as SoftmaxAttrs;
  const rank = logits.shape.length;
  const axis = dim < 0 ? dim + rank : dim;
  if (!isFloat32(logits) || rank === 0 || axis !== rank - 1 || sizeOf(logits.shape) === 0) {
    return fallback(Softmax, args);
  }
  const backend = backendOf(args);
  const cols = logits.shape[rank - 1]!;
  const out = output(backend, logits.shape);
  backend.addon.softmax(backend.values(logits.dataId), out.values, sizeOf(logits.shape) / cols, cols);
  return out.info;
}

export const softmaxConfig: KernelConfig = {
  kernelName: Softmax,
  backendName: BACKEND_NAME,
  kernelFunc: softmax,
};

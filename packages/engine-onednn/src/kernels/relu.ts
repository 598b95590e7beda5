// Relu, natively.
import { type KernelConfig, Relu, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export function relu(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (!isFloat32(x)) return fallback(Relu, args);
  const backend = backendOf(args);
  const out = output(backend, x.shape);
  backend.addon.relu(backend.values(x.dataId), out.values);
  return out.info;
}

export const reluConfig: KernelConfig = {
  kernelName: Relu,
  backendName: BACKEND_NAME,
  kernelFunc: relu,
};

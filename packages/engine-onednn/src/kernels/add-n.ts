// AddN (gradient accumulation) in one native pass.
import { AddN, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export function addN(args: KernelArgs): TensorInfo | TensorInfo[] {
  const tensors = args.inputs as unknown as TensorInfo[];
  if (!isFloat32(...tensors) || tensors.length === 0) return fallback(AddN, args);
  const backend = backendOf(args);
  const out = output(backend, tensors[0]!.shape);
  backend.addon.addN(
    tensors.map((t) => backend.values(t.dataId)),
    out.values,
  );
  return out.info;
}

export const addNConfig: KernelConfig = {
  kernelName: AddN,
  backendName: BACKEND_NAME,
  kernelFunc: addN,
};

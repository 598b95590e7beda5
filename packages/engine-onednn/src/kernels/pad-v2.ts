// PadV2 with a constant, natively (option A shortcuts zero-pad channels with it).
import { type KernelConfig, PadV2, type PadV2Attrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export function padV2(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  const { paddings, constantValue } = args.attrs as unknown as PadV2Attrs;
  // Negative paddings crop (tfjs-core accepts them): the cpu kernel's case, as are empty tensors.
  if (!isFloat32(x) || x.shape.length === 0 || sizeOf(x.shape) === 0 || paddings.some(([a, b]) => a < 0 || b < 0)) {
    return fallback(PadV2, args);
  }
  const backend = backendOf(args);
  const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  const out = output(backend, outShape);
  backend.addon.pad(
    backend.values(x.dataId),
    Int32Array.from(x.shape),
    Int32Array.from(paddings.map((p) => p[0])),
    Int32Array.from(outShape),
    constantValue,
    out.values,
  );
  return out.info;
}

export const padV2Config: KernelConfig = {
  kernelName: PadV2,
  backendName: BACKEND_NAME,
  kernelFunc: padV2,
};

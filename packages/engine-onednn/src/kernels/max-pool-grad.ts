// MaxPoolGrad, natively: each output gradient goes to the first maximum of its window.
import { type KernelConfig, MaxPoolGrad, type TensorInfo } from '@tensorflow/tfjs-core';
import { poolGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, hasShape, isFloat32, output, type KernelArgs } from './kernel-utils';
import { poolInfo, type PoolAttrs } from './pool-kernel';

export function maxPoolGrad(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (!isFloat32(dy, input) || input.shape.length !== 4) return fallback(MaxPoolGrad, args);
  const backend = backendOf(args);
  const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
  const geometry = poolGeometry(info);
  if (!geometry || !hasShape(dy, info.outShape)) return fallback(MaxPoolGrad, args);
  const out = output(backend, input.shape);
  backend.addon.maxPoolGrad(backend.values(dy.dataId), backend.values(input.dataId), out.values, geometry);
  return out.info;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: BACKEND_NAME,
  kernelFunc: maxPoolGrad,
};

// AvgPoolGrad, natively, with tfjs' weight of 1/(filter area) per window pixel.
import { AvgPoolGrad, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { poolGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, hasShape, isFloat32, output, type KernelArgs } from './kernel-utils';
import { poolInfo, type PoolAttrs } from './pool-kernel';

export function avgPoolGrad(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (!isFloat32(dy, input) || input.shape.length !== 4) return fallback(AvgPoolGrad, args);
  const backend = backendOf(args);
  const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
  const geometry = poolGeometry(info);
  if (!geometry || !hasShape(dy, info.outShape)) return fallback(AvgPoolGrad, args);
  const out = output(backend, input.shape);
  backend.addon.avgPoolGrad(backend.values(dy.dataId), out.values, geometry);
  return out.info;
}

export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: BACKEND_NAME,
  kernelFunc: avgPoolGrad,
};

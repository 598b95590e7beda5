// One factory for MaxPool / AvgPool forward (NHWC, float32).
import { type AvgPoolAttrs, backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { poolGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export type PoolAttrs = AvgPoolAttrs;

export function poolInfo(shape: number[], attrs: PoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

export function poolKernelConfig(kernelName: string, isMax: boolean): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs as { x: TensorInfo };
    if (!isFloat32(x) || x.shape.length !== 4) return fallback(kernelName, args);
    const backend = backendOf(args);
    const info = poolInfo(x.shape, args.attrs as unknown as PoolAttrs);
    const geometry = poolGeometry(info);
    if (!geometry) return fallback(kernelName, args);
    const out = output(backend, info.outShape);
    backend.addon.pool2d(isMax, backend.values(x.dataId), out.values, geometry);
    return out.info;
  };
  return { kernelName, backendName: BACKEND_NAME, kernelFunc: kernelFunc };
}

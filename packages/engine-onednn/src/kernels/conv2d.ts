// Conv2D on oneDNN (NHWC; NCHW falls back to the cpu kernel).
import { backend_util, Conv2D, type Conv2DAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export function conv2d(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DAttrs;
  if (attrs.dataFormat !== 'NHWC' || !isFloat32(x, filter)) return fallback(Conv2D, args);
  const backend = backendOf(args);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const geometry = convGeometry(info);
  if (!geometry) return fallback(Conv2D, args);
  const out = output(backend, info.outShape);
  backend.addon.conv2d(
    backend.values(x.dataId),
    backend.values(filter.dataId),
    null,
    out.values,
    geometry,
    false,
    backend.weightKey(filter.dataId),
  );
  return out.info;
}

export const conv2dConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: BACKEND_NAME,
  kernelFunc: conv2d,
};

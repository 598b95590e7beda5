// Conv2DBackpropFilter (conv weight gradient) on oneDNN, NHWC, returned in tfjs' HWIO layout.
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, hasShape, isFloat32, output, type KernelArgs } from './kernel-utils';

export function conv2dBackpropFilter(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat !== 'NHWC' || !isFloat32(x, dy)) return fallback(Conv2DBackpropFilter, args);
  const backend = backendOf(args);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const geometry = convGeometry(info);
  if (!geometry || !hasShape(dy, [info.batchSize, info.outHeight, info.outWidth, info.outChannels])) {
    return fallback(Conv2DBackpropFilter, args);
  }
  const out = output(backend, attrs.filterShape);
  backend.addon.conv2dBackpropFilter(backend.values(x.dataId), backend.values(dy.dataId), out.values, geometry);
  return out.info;
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: BACKEND_NAME,
  kernelFunc: conv2dBackpropFilter,
};

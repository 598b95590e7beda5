// Conv2DBackpropInput (conv data gradient and conv2dTranspose) on oneDNN, NHWC.
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, hasShape, isFloat32, output, type KernelArgs } from './kernel-utils';

export function conv2dBackpropInput(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (attrs.dataFormat !== 'NHWC' || !isFloat32(dy, filter)) return fallback(Conv2DBackpropInput, args);
  const backend = backendOf(args);
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  // A dy that does not match the geometry is tfjs cpu's to handle (it stays in bounds).
  const geometry = convGeometry(info);
  if (!geometry || !hasShape(dy, [info.batchSize, info.outHeight, info.outWidth, info.outChannels])) {
    return fallback(Conv2DBackpropInput, args);
  }
  const out = output(backend, attrs.inputShape);
  // When the last window stops short of the input's far edge (valid padding, stride not dividing),
  // oneDNN leaves those rows/columns of dx untouched; they get no gradient, i.e. zero.
  const coversH =
    (info.inHeight - info.filterHeight + info.padInfo.top + info.padInfo.bottom) % info.strideHeight === 0;
  const coversW = (info.inWidth - info.filterWidth + info.padInfo.left + info.padInfo.right) % info.strideWidth === 0;
  if (!coversH || !coversW) out.values.fill(0);
  backend.addon.conv2dBackpropInput(
    backend.values(dy.dataId),
    backend.values(filter.dataId),
    out.values,
    geometry,
    backend.weightKey(filter.dataId),
  );
  return out.info;
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: BACKEND_NAME,
  kernelFunc: conv2dBackpropInput,
};

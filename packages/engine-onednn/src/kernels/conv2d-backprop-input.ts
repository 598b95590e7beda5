// Conv2DBackpropInput (conv data gradient and conv2dTranspose) on oneDNN, NHWC.
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig,
  type TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export function conv2dBackpropInput(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (attrs.dataFormat !== 'NHWC' || !isFloat32(dy, filter)) return fallback(Conv2DBackpropInput, args);
  const backend = backendOf(args);
  const info = backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const out = output(backend, attrs.inputShape);
  backend.addon.conv2dBackpropInput(backend.values(dy.dataId), backend.values(filter.dataId),
    out.values, convGeometry(info), backend.weightKey(filter.dataId));
  return out.info;
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput, backendName: BACKEND_NAME,
  kernelFunc: conv2dBackpropInput as KernelConfig['kernelFunc'],
};

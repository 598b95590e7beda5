// FusedConv2D (conv + bias + activation, what tf.layers' conv2d with a bias runs) on oneDNN with
// ReLU as a post-op; other activations and PReLU weights fall back to the cpu kernel.
import {
  backend_util,
  FusedConv2D,
  type FusedConv2DAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, type KernelArgs } from './kernel-utils';

export function fusedConv2d(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = args.attrs as unknown as FusedConv2DAttrs;
  const activation = attrs.activation ?? 'linear';
  const outChannels = filter!.shape[3]!;
  const biasOk = bias == null || (bias.shape.length <= 1 && (bias.shape[0] ?? 1) === outChannels);
  if (
    attrs.dataFormat !== 'NHWC' ||
    !isFloat32(x, filter, bias) ||
    preluActivationWeights != null ||
    (activation !== 'linear' && activation !== 'relu') ||
    !biasOk
  ) {
    return fallback(FusedConv2D, args);
  }
  const backend = backendOf(args);
  const info = backend_util.computeConv2DInfo(
    x!.shape as [number, number, number, number],
    filter!.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const geometry = convGeometry(info);
  if (!geometry) return fallback(FusedConv2D, args);
  const out = output(backend, info.outShape);
  backend.addon.conv2d(
    backend.values(x!.dataId),
    backend.values(filter!.dataId),
    bias ? backend.values(bias.dataId) : null,
    out.values,
    geometry,
    activation === 'relu',
    backend.weightKey(filter!.dataId),
  );
  return out.info;
}

export const fusedConv2dConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: BACKEND_NAME,
  kernelFunc: fusedConv2d,
};

// Local response normalisation across channels and its gradient, natively (NHWC, float32).
import {
  LRN,
  type LRNAttrs,
  LRNGrad,
  type LRNGradAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export function lrn(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (!isFloat32(x) || x.shape.length !== 4 || sizeOf(x.shape) === 0) return fallback(LRN, args);
  const { depthRadius, bias, alpha, beta } = args.attrs as unknown as LRNAttrs;
  const backend = backendOf(args);
  const channels = x.shape[3]!;
  const out = output(backend, x.shape);
  backend.addon.lrn(
    backend.values(x.dataId),
    out.values,
    sizeOf(x.shape) / channels,
    channels,
    depthRadius,
    bias,
    alpha,
    beta,
  );
  return out.info;
}

export function lrnGrad(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x, y, dy } = args.inputs as { x: TensorInfo; y: TensorInfo; dy: TensorInfo };
  if (![x, y, dy].every(isFloat32) || dy.shape.length !== 4 || sizeOf(dy.shape) === 0) {
    return fallback(LRNGrad, args);
  }
  const { depthRadius, bias, alpha, beta } = args.attrs as unknown as LRNGradAttrs;
  const backend = backendOf(args);
  const channels = dy.shape[3]!;
  const out = output(backend, dy.shape);
  backend.addon.lrnGrad(
    backend.values(x.dataId),
    backend.values(y.dataId),
    backend.values(dy.dataId),
    out.values,
    sizeOf(dy.shape) / channels,
    channels,
    depthRadius,
    bias,
    alpha,
    beta,
  );
  return out.info;
}

export const lrnConfig: KernelConfig = { kernelName: LRN, backendName: BACKEND_NAME, kernelFunc: lrn };
export const lrnGradConfig: KernelConfig = { kernelName: LRNGrad, backendName: BACKEND_NAME, kernelFunc: lrnGrad };

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

/**
 * What the native kernels take: float32 NHWC with values, a radius of 0 or more (tfjs only checks
 * that it is an integer), and an addon built with them (one built before them falls back).
 */
function native(args: KernelArgs, tensors: TensorInfo[], depthRadius: number): boolean {
  const t = tensors[0]!;
  return (
    tensors.every((v) => isFloat32(v)) &&
    t.shape.length === 4 &&
    sizeOf(t.shape) > 0 &&
    depthRadius >= 0 &&
    typeof backendOf(args).addon.lrnGrad === 'function'
  );
}

export function lrn(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  const { depthRadius, bias, alpha, beta } = args.attrs as unknown as LRNAttrs;
  if (!native(args, [x], depthRadius)) return fallback(LRN, args);
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
  const { depthRadius, bias, alpha, beta } = args.attrs as unknown as LRNGradAttrs;
  if (!native(args, [dy, x, y], depthRadius)) return fallback(LRNGrad, args);
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

// What every native kernel needs: its backend, float32 views of inputs, fresh outputs, and the
// cpu kernel to fall back to when a case (dtype, layout, activation) has no native version.
import {
  getKernel,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { OnednnBackend } from '../backend';

export const BACKEND_NAME = 'onednn';

export type KernelArgs = {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
};

export function backendOf(args: KernelArgs): OnednnBackend {
  return args.backend as OnednnBackend;
}

export function isFloat32(...ts: (TensorInfo | null | undefined)[]): boolean {
  return ts.every((t) => t == null || t.dtype === 'float32');
}

export function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A float32 output tensor with a (possibly recycled) buffer the kernel must fill. */
export function output(backend: OnednnBackend, shape: number[]): { info: TensorInfo; values: Float32Array } {
  const values = backend.allocFloat32(sizeOf(shape));
  return { info: backend.makeTensorInfo(shape, 'float32', values), values };
}

/** Runs tfjs' own cpu kernel on this backend (it is a MathBackendCPU, so cpu kernels accept it). */
export function fallback(kernelName: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const config = getKernel(kernelName, 'cpu');
  if (!config) throw new Error(`onednn: no native or cpu kernel for ${kernelName}`);
  return config.kernelFunc(args as Parameters<KernelFunc>[0]);
}

/**
 * Whether a tensor has exactly the shape a native kernel will read. The native side trusts the
 * geometry it is given and reads that many values: a tensor of another shape (tfjs' ops check
 * only some dimensions, e.g. conv2dTranspose only the depth of dy) would be read out of bounds.
 */
export function hasShape(t: TensorInfo, shape: readonly number[]): boolean {
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
}

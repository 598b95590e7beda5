// One factory for the broadcasting element-wise binary kernels; the op codes match binary.cc.
import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, squaredDifference: 6 } as const;

export function binaryKernelConfig(kernelName: string, op: number): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!isFloat32(a, b) || sizeOf(a.shape) === 0 || sizeOf(b.shape) === 0) {
      return fallback(kernelName, args);
    }
    const backend = backendOf(args);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = output(backend, outShape);
    backend.addon.binary(
      op,
      backend.values(a.dataId),
      Int32Array.from(a.shape),
      backend.values(b.dataId),
      Int32Array.from(b.shape),
      out.values,
      Int32Array.from(outShape),
    );
    return out.info;
  };
  return { kernelName, backendName: BACKEND_NAME, kernelFunc: kernelFunc };
}

// One factory for Sum / Mean / Max over a contiguous block of axes (N,H,W of NHWC, H,W for global
// pooling, the last axis); other axis sets use the cpu kernel. Op codes match reduce.cc.
import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export const ReduceOp = { sum: 0, mean: 1, max: 2 } as const;

export function reduceKernelConfig(kernelName: string, op: number): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs as { x: TensorInfo };
    // Sum and Mean name the axes `axis`, Max names them `reductionIndices`.
    const attrs = args.attrs as unknown as {
      axis?: number | number[];
      reductionIndices?: number | number[];
      keepDims: boolean;
    };
    const keepDims = attrs.keepDims;
    const axes = util.parseAxisParam((attrs.axis ?? attrs.reductionIndices)!, x.shape).sort((p, q) => p - q);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
    if (!isFloat32(x) || axes.length === 0 || !contiguous || sizeOf(x.shape) === 0) {
      return fallback(kernelName, args);
    }
    const backend = backendOf(args);
    const first = axes[0]!;
    const last = axes[axes.length - 1]!;
    const outer = sizeOf(x.shape.slice(0, first));
    const reduced = sizeOf(x.shape.slice(first, last + 1));
    const inner = sizeOf(x.shape.slice(last + 1));
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = output(backend, shape);
    backend.addon.reduce(op, backend.values(x.dataId), out.values, outer, reduced, inner);
    return out.info;
  };
  return { kernelName, backendName: BACKEND_NAME, kernelFunc: kernelFunc };
}

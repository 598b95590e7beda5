// Slice as a native dense copy. tfjs' cpu Slice returns a subarray view of its input for
// contiguous boxes (the backend recycles buffers, so outputs must own their memory) and is slow
// in JavaScript for the rest (pad's gradient slices channels).
import { type KernelConfig, Slice, type SliceAttrs, slice_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, isFloat32, output, sizeOf, type KernelArgs } from './kernel-utils';

export function slice(args: KernelArgs): TensorInfo | TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  const attrs = args.attrs as unknown as SliceAttrs;
  const backend = backendOf(args);
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
  // A box that is not inside x (tfjs-core lets a begin below -1 through) is left to cpu.
  const inside = begin.every((b, i) => b >= 0 && size[i]! >= 0 && b + size[i]! <= x.shape[i]!);
  if (isFloat32(x) && x.shape.length > 0 && sizeOf(size) > 0 && inside) {
    slice_util.assertParamsValid(x, begin, size);
    const out = output(backend, size);
    backend.addon.slice(
      backend.values(x.dataId),
      Int32Array.from(x.shape),
      Int32Array.from(begin),
      Int32Array.from(size),
      out.values,
    );
    return out.info;
  }
  const result = fallback(Slice, args) as TensorInfo;
  const values = backend.data.get(result.dataId).values;
  const source = backend.data.get(x.dataId).values;
  if (ArrayBuffer.isView(values) && ArrayBuffer.isView(source) && values.buffer === source.buffer) {
    const copy = (values as Int32Array).slice();
    backend.disposeIntermediateTensorInfo(result);
    return backend.makeTensorInfo(result.shape, result.dtype, copy);
  }
  return result;
}

export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: BACKEND_NAME,
  kernelFunc: slice,
};

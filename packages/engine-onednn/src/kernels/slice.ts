// Slice that always copies. tfjs' cpu Slice returns a subarray view of its input for contiguous
// slices; the backend recycles buffers, so outputs must own their memory.
import { type KernelConfig, Slice, type TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, fallback, type KernelArgs } from './kernel-utils';

export function slice(args: KernelArgs): TensorInfo | TensorInfo[] {
  const result = fallback(Slice, args) as TensorInfo;
  const backend = backendOf(args);
  const { x } = args.inputs as { x: TensorInfo };
  const values = backend.data.get(result.dataId)!.values;
  const source = backend.data.get(x.dataId)!.values;
  if (ArrayBuffer.isView(values) && ArrayBuffer.isView(source) && values.buffer === source.buffer) {
    const copy = (values as Float32Array).slice();
    backend.disposeIntermediateTensorInfo(result);
    return backend.makeTensorInfo(result.shape, result.dtype, copy);
  }
  return result;
}

export const sliceConfig: KernelConfig = {
  kernelName: Slice, backendName: BACKEND_NAME, kernelFunc: slice as KernelConfig['kernelFunc'],
};

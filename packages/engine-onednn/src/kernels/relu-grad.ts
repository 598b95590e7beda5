// OnednnReluGrad: dy where x > 0, else 0, in one pass. tfjs differentiates Relu as
// dy * cast(step(x)), three kernels and two temporaries; the Relu gradient registered with the
// backend uses this kernel while `onednn` is active and tfjs' own formula otherwise.
import {
  cast,
  engine,
  getBackend,
  type GradConfig,
  type KernelConfig,
  mul,
  Relu,
  step,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, output, type KernelArgs } from './kernel-utils';

export const RELU_GRAD = 'OnednnReluGrad';

export function reluGrad(args: KernelArgs): TensorInfo {
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const backend = backendOf(args);
  const out = output(backend, x.shape);
  backend.addon.reluGrad(backend.values(dy.dataId), backend.values(x.dataId), out.values);
  return out.info;
}

export const reluGradConfig: KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: BACKEND_NAME,
  kernelFunc: reluGrad,
};

export const reluGradient: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[]) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys)!;
    const x = saved[0]!;
    if (getBackend() === BACKEND_NAME && x.dtype === 'float32' && dy.dtype === 'float32') {
      return { x: () => engine().runKernel<Tensor>(RELU_GRAD, { dy, x }) };
    }
    return { x: () => mul(dy, cast(step(x), 'float32')) };
  },
};

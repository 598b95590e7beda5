// The one list of native kernels, and the registration of the `onednn` backend: every cpu kernel
// is registered under `onednn` too (the backend is a MathBackendCPU), then native ones override.
import {
  getKernelsForBackend,
  type GradConfig,
  type KernelConfig,
  registerGradient,
  registerKernel,
  unregisterKernel,
  getKernel,
} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { addNConfig } from './kernels/add-n';
import { addConfig } from './kernels/add';
import { avgPoolGradConfig } from './kernels/avg-pool-grad';
import { avgPoolConfig } from './kernels/avg-pool';
import { batchMatMulConfig } from './kernels/batch-mat-mul';
import { batchNormTrainingGradConfig, batchNormTrainingGradient } from './kernels/batch-norm-training-grad';
import { batchNormTrainingConfig } from './kernels/batch-norm-training';
import { conv2dBackpropFilterConfig } from './kernels/conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './kernels/conv2d-backprop-input';
import { conv2dConfig } from './kernels/conv2d';
import { fusedBatchNormConfig } from './kernels/fused-batch-norm';
import { fusedConv2dConfig } from './kernels/fused-conv2d';
import { fusedMatMulConfig } from './kernels/fused-mat-mul';
import { lrnConfig, lrnGradConfig } from './kernels/lrn';
import { BACKEND_NAME } from './kernels/kernel-utils';
import { maxPoolGradConfig } from './kernels/max-pool-grad';
import { maxPoolConfig } from './kernels/max-pool';
import { maxConfig } from './kernels/max';
import { maximumConfig } from './kernels/maximum';
import { meanConfig } from './kernels/mean';
import { minimumConfig } from './kernels/minimum';
import { multiplyConfig } from './kernels/multiply';
import { realDivConfig } from './kernels/real-div';
import { padV2Config } from './kernels/pad-v2';
import { reluGradConfig, reluGradient } from './kernels/relu-grad';
import { reluConfig } from './kernels/relu';
import { sliceConfig } from './kernels/slice';
import { softmaxCrossEntropyConfig, softmaxCrossEntropyGradient } from './kernels/softmax-cross-entropy';
import { softmaxConfig } from './kernels/softmax';
import { squaredDifferenceConfig } from './kernels/squared-difference';
import { stepConfig } from './kernels/step';
import { subConfig } from './kernels/sub';
import { sumConfig } from './kernels/sum';

export const nativeKernelConfigs: KernelConfig[] = [
  conv2dConfig,
  fusedConv2dConfig,
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  fusedBatchNormConfig,
  reluConfig,
  reluGradConfig,
  stepConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  realDivConfig,
  maximumConfig,
  minimumConfig,
  squaredDifferenceConfig,
  addNConfig,
  sumConfig,
  meanConfig,
  maxConfig,
  maxPoolConfig,
  avgPoolConfig,
  maxPoolGradConfig,
  avgPoolGradConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  softmaxConfig,
  lrnConfig,
  lrnGradConfig,
  softmaxCrossEntropyConfig,
  sliceConfig,
  padV2Config,
];

// Gradients of the kernels that only exist on this backend, and Relu's, which dispatches to one
// native kernel on this backend and keeps tfjs' formula on every other.
export const nativeGradientConfigs: GradConfig[] = [
  batchNormTrainingGradient,
  softmaxCrossEntropyGradient,
  reluGradient,
];

/**
 * Empty tensors are tfjs cpu's to handle: the native kernels are written for at least one value
 * per dimension (the C++ side rejects the rest with a RangeError), and an empty case costs nothing.
 */
function withEmptyFallback(config: KernelConfig): KernelConfig {
  const cpu = getKernel(config.kernelName, 'cpu');
  if (!cpu) return config;
  const native = config.kernelFunc;
  return {
    ...config,
    kernelFunc: (args) =>
      Object.values(args.inputs).some((t) => t != null && t.shape.some((d) => d === 0))
        ? cpu.kernelFunc(args)
        : native(args),
  };
}

let registered = false;

/** Registers cpu fall-through kernels, native kernels and their gradients once per process. */
export function registerAllKernels(): void {
  if (registered) return;
  const native = new Set(nativeKernelConfigs.map((c) => c.kernelName));
  for (const config of getKernelsForBackend('cpu')) {
    if (native.has(config.kernelName) || getKernel(config.kernelName, BACKEND_NAME)) continue;
    registerKernel({ ...config, backendName: BACKEND_NAME });
  }
  for (const config of nativeKernelConfigs) {
    if (getKernel(config.kernelName, BACKEND_NAME)) unregisterKernel(config.kernelName, BACKEND_NAME);
    registerKernel(withEmptyFallback(config));
  }
  for (const config of nativeGradientConfigs) registerGradient(config);
  registered = true;
}

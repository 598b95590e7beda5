// OnednnBatchNormTrainingGrad: dx, dgamma, dbeta of training-mode batch norm in one kernel, and
// the gradient config that makes autodiff call it for OnednnBatchNormTraining.
import {
  engine,
  type GradConfig,
  type KernelConfig,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BATCH_NORM_TRAINING, bnDims, type BatchNormTrainingAttrs } from './batch-norm-training';
import { BACKEND_NAME, backendOf, output, type KernelArgs } from './kernel-utils';

export const BATCH_NORM_TRAINING_GRAD = 'OnednnBatchNormTrainingGrad';

export function batchNormTrainingGrad(args: KernelArgs): TensorInfo[] {
  const { x, dy, gamma, beta, mean, variance } = args.inputs as Record<string, TensorInfo>;
  const { epsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const backend = backendOf(args);
  const [n, h, w, c] = bnDims(x!.shape);
  const dx = output(backend, x!.shape);
  const dgamma = output(backend, [c]);
  const dbeta = output(backend, [c]);
  const v = (t: TensorInfo | undefined) => backend.values(t!.dataId);
  backend.addon.batchNormTrainingGrad(
    v(x),
    v(dy),
    v(gamma),
    v(beta),
    v(mean),
    v(variance),
    dx.values,
    dgamma.values,
    dbeta.values,
    n,
    h,
    w,
    c,
    epsilon,
  );
  return [dx.info, dgamma.info, dbeta.info];
}

export const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_GRAD,
  backendName: BACKEND_NAME,
  kernelFunc: batchNormTrainingGrad,
};

// Gradients flow through y only: the batch mean and variance feed the moving averages, which
// are not differentiated (as in tf.layers' own BatchNormalization).
export const batchNormTrainingGradient: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'gamma', 'beta'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = Array.isArray(dys) ? dys[0]! : dys;
    const [x, gamma, beta, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
    // One kernel computes all three gradients; the closures hand them out. Tensors made here
    // belong to the enclosing gradient scope, which disposes any that go unused.
    const [dx, dgamma, dbeta] = engine().runKernel<Tensor[]>(
      BATCH_NORM_TRAINING_GRAD,
      { x, dy, gamma, beta, mean, variance },
      attrs,
    );
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
};

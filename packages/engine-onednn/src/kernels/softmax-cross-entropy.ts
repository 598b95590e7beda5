// OnednnSoftmaxCrossEntropy: per-row -sum(labels * log_softmax(logits)) and, saved for the
// gradient, softmax(logits) - labels, from one native pass over [rows, classes].
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { mul, reshape, zerosLike } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, backendOf, hasShape, output, sizeOf, type KernelArgs } from './kernel-utils';

export const SOFTMAX_CROSS_ENTROPY = 'OnednnSoftmaxCrossEntropy';

export function softmaxCrossEntropyKernel(args: KernelArgs): TensorInfo[] {
  const { labels, logits } = args.inputs as { labels: TensorInfo; logits: TensorInfo };
  if (!hasShape(labels, logits.shape) || logits.shape.length === 0) {
    const [l, z] = [labels.shape.join(','), logits.shape.join(',')];
    throw new RangeError(`${SOFTMAX_CROSS_ENTROPY}: labels of shape [${l}] do not match logits of shape [${z}]`);
  }
  const backend = backendOf(args);
  const cols = logits.shape[logits.shape.length - 1]!;
  const rows = sizeOf(logits.shape) / cols;
  const losses = output(backend, logits.shape.slice(0, -1));
  const grad = output(backend, logits.shape);
  backend.addon.softmaxCrossEntropy(
    backend.values(labels.dataId),
    backend.values(logits.dataId),
    losses.values,
    grad.values,
    rows,
    cols,
  );
  return [losses.info, grad.info];
}

export const softmaxCrossEntropyConfig: KernelConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  backendName: BACKEND_NAME,
  kernelFunc: softmaxCrossEntropyKernel,
};

// d loss_r / d logits_r = dy_r * (softmax - labels); labels get no gradient (they are data).
export const softmaxCrossEntropyGradient: GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: [],
  outputsToSave: [false, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], _attrs: NamedAttrMap) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys)!;
    const grad = saved[0]!;
    return {
      logits: () => mul(reshape(dy, [...dy.shape, 1]), grad),
      labels: () => zerosLike(grad),
    };
  },
};

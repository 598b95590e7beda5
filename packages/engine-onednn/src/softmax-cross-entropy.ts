// Mean softmax cross-entropy of a batch of logits against one-hot (or soft) labels: one native
// kernel on `onednn`, tf.losses.softmaxCrossEntropy (same value and gradient) elsewhere.
import { engine, getBackend, losses, mean, type Tensor, tidy, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME } from './kernels/kernel-utils';
import { SOFTMAX_CROSS_ENTROPY } from './kernels/softmax-cross-entropy';

export function softmaxCrossEntropy(labels: Tensor, logits: Tensor): Tensor {
  // The same check and message as tf.losses.softmaxCrossEntropy, whichever path runs.
  util.assertShapesMatch(labels.shape, logits.shape, 'Error in softmaxCrossEntropy: ');
  if (
    getBackend() !== BACKEND_NAME ||
    logits.dtype !== 'float32' ||
    labels.dtype !== 'float32' ||
    logits.rank === 0 ||
    logits.size === 0
  ) {
    return losses.softmaxCrossEntropy(labels, logits);
  }
  return tidy(() => {
    const [perRow] = engine().runKernel<Tensor[]>(SOFTMAX_CROSS_ENTROPY, { labels, logits }, {});
    return mean(perRow!);
  });
}

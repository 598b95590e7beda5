// One SGD training step the way the trainer runs it (variableGrads over model.apply in training
// mode, softmax cross-entropy, SGD with momentum and weight decay), shared by the bench and tests.
import * as tf from '@tensorflow/tfjs';
import { sgdMomentumUpdate } from '../src/sgd-momentum-update';
import { softmaxCrossEntropy } from '../src/softmax-cross-entropy';

export type TrainingStep = {
  step(xs: tf.Tensor, ys: tf.Tensor): number;
  dispose(): void;
};

export function makeTrainingStep(
  model: tf.LayersModel,
  opts = { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 },
): TrainingStep {
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const velocities = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  return {
    step(xs, ys) {
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(xs, { training: true }) as tf.Tensor;
        return softmaxCrossEntropy(ys, logits) as tf.Scalar;
      }, variables);
      variables.forEach((v, i) => sgdMomentumUpdate(v, grads[v.name]!, velocities[i]!, opts));
      const loss = value.dataSync()[0]!;
      value.dispose();
      tf.dispose(grads);
      return loss;
    },
    dispose() {
      velocities.forEach((v) => v.dispose());
    },
  };
}

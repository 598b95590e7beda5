import * as tf from '@tensorflow/tfjs';

/** Weight counts of a built model, split as `describeModel` splits them. */
export function builtCounts(model: tf.LayersModel): { params: number; trainableParams: number } {
  const size = (ws: readonly tf.LayerVariable[]) =>
    ws.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return { params: model.countParams(), trainableParams: size(model.trainableWeights) };
}

/**
 * One SGD step on a random batch: loss over every output, gradients for all trainable weights,
 * update applied. Returns the loss; every intermediate tensor is released.
 */
export function gradientStep(model: tf.LayersModel, batch: number, learningRate = 0.01): number {
  const [, h, w, c] = model.inputs[0]!.shape as number[];
  const optimizer = tf.train.sgd(learningRate);
  const loss = tf.tidy(() => {
    const x = tf.randomNormal([batch, h!, w!, c!], 0, 1, 'float32', 7);
    const lossFn = () => {
      const out = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      const outs = Array.isArray(out) ? out : [out];
      const losses = outs.map((o) => {
        const classes = o.shape[1]!;
        const labels = tf.oneHot(
          tf.tensor1d(
            Array.from({ length: batch }, (_, i) => i % classes),
            'int32',
          ),
          classes,
        );
        return tf.losses.softmaxCrossEntropy(labels, o);
      });
      return tf.addN(losses) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(lossFn);
    optimizer.applyGradients(grads);
    return value;
  });
  const result = loss.dataSync()[0]!;
  loss.dispose();
  optimizer.dispose();
  return result;
}

/** Per-layer weight counts of a built model, keyed by layer name (tfjs orders layers its own way). */
export function builtLayerParams(model: tf.LayersModel): Record<string, number> {
  return Object.fromEntries(model.layers.map((l) => [l.name, l.countParams()]));
}

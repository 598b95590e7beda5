// The papers' own networks (batchNorm: false) on `onednn` against tfjs' `cpu`: local response
// normalisation, grouped convolutions (channel slices, convs, concat), tanh and average pooling
// give the same loss and the same gradient for every trainable weight, within 1e-4.
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { ArchitectureSpec, type ArchitectureSpecInput } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { relativeError } from './testing/backend-parity';
import { ENGINE, SKIP_NOTE } from './testing/engine';

const N = 2;

async function step(backend: string, model: tf.LayersModel, initial: Float32Array[], x: Float32Array, y: Float32Array) {
  await tf.setBackend(backend);
  model.setWeights(initial.map((v, i) => tf.tensor(v.slice(), model.weights[i]!.shape as number[])));
  const [, h, w, c] = model.inputs[0]!.shape as number[];
  const classes = (model.outputs[0]!.shape as number[])[1]!;
  let result = { loss: NaN, grads: new Map<string, Float32Array>() };
  tf.tidy(() => {
    const variables = model.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val);
    const { value, grads } = tf.variableGrads(() => {
      // Inference mode switches off only dropout here (these nets have no batch norm), so both
      // backends see the same computation.
      const logits = model.apply(tf.tensor(x, [N, h!, w!, c!]), { training: false }) as tf.Tensor;
      return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(tf.tensor(y, [N, classes]), logits);
    }, variables);
    result = {
      loss: value.dataSync()[0]!,
      grads: new Map(Object.entries(grads).map(([name, g]) => [name, Float32Array.from(g.dataSync())])),
    };
  });
  return result;
}

describe('paper-exact networks: one gradient step, onednn against cpu' + SKIP_NOTE, () => {
  it.skipIf(!ENGINE.ok).each<ArchitectureSpecInput>([
    { family: 'alexnet', batchNorm: false, widthMultiplier: 0.125, inputSize: 16, numClasses: 10 },
    { family: 'lenet5', batchNorm: false, inputSize: 28, numClasses: 10 },
    { family: 'googlenet', batchNorm: false, widthMultiplier: 0.125, inputSize: 8, numClasses: 10 },
  ])('%j', async (input) => {
    await tf.setBackend('cpu');
    const model = buildModel(ArchitectureSpec.parse(input), { seed: 4 });
    try {
      const initial = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
      const [, h, w, c] = model.inputs[0]!.shape as number[];
      const x = Float32Array.from({ length: N * h! * w! * c! }, (_, i) => Math.sin(i * 0.37));
      const y = new Float32Array(N * 10);
      y[3] = 1;
      y[10 + 7] = 1;
      const cpu = await step('cpu', model, initial, x, y);
      const native = await step('onednn', model, initial, x, y);
      expect(Number.isFinite(cpu.loss)).toBe(true);
      expect(relativeError([native.loss], [cpu.loss])).toBeLessThanOrEqual(1e-4);
      const worst = [...cpu.grads].map(([name, g]) => [name, relativeError(native.grads.get(name) ?? [], g)] as const);
      worst.sort((a, b) => b[1] - a[1]);
      expect(worst[0]![1], `worst: ${worst[0]![0]}`).toBeLessThanOrEqual(1e-4);
    } finally {
      model.dispose();
    }
  });
});

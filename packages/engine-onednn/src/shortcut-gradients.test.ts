// Gradients through every shortcut kind against finite differences, on tfjs `cpu` and on `onednn`.
// The backward of option A (1x1 stride-2 subsampling, zero channels), of a projection (B, C, any
// kernel size) and of the add feeds the gradient of every layer before it: a mistake there would
// change the derivative along the gradient by far more than the tolerance. Backend parity alone
// cannot see a mistake both backends share; this compares each against the definition of a
// derivative. Along a random direction instead, the derivative is a sum of terms of both signs,
// and float32's rounding of the terms (gradients of a freshly initialised net carry about 1e-2
// relative error) scattered it by 5-20%.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '@resnet-lab/models';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { batchNormalization } from './native-batch-normalization';
import { ENGINE, SKIP_NOTE } from './testing/engine';
import { batch } from './testing/resnet-fixtures';

const CLASSES = 4;
const N = 8;
const SIZE = 16;
const NETWORKS = [
  { family: 'cifar-resnet', depth: 8, shortcut: 'A' },
  { family: 'cifar-resnet', depth: 8, shortcut: 'B' },
  { family: 'cifar-resnet', depth: 8, shortcut: 'C' },
  { family: 'cifar-resnet', depth: 8, shortcut: 'B', shortcutKernel: 3 },
  { family: 'cifar-resnet', depth: 8, shortcut: 'C', shortcutKernel: 7 },
] as const;
/** Relative difference allowed between g . g and the finite differences along g (seen: 6e-5 to 2e-3). */
const TOLERANCE = 1e-2;

function build(net: (typeof NETWORKS)[number]): tf.LayersModel {
  const arch = ArchitectureSpec.parse({
    ...net,
    widthMultiplier: 0.25,
    inputSize: SIZE,
    inputChannels: 3,
    numClasses: CLASSES,
  });
  return buildModel(arch, { seed: 3, batchNormLayer: batchNormalization });
}

/**
 * The loss's derivative along the gradient g of all trainable weights (training mode, as the
 * trainer runs it): from the backend's gradients (g . g) and from central differences
 * (L(w + h g) - L(w - h g)) / 2h. A wrong gradient g' gives g' . g' where the truth is g . g'.
 */
function directionalDerivatives(model: tf.LayersModel): { analytic: number; numeric: number; zero: string[] } {
  const data = batch(N, SIZE, CLASSES);
  const xs = tf.tensor4d(data.x, [N, SIZE, SIZE, 3]);
  const ys = tf.tensor2d(data.y, [N, CLASSES]);
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const loss = () =>
    tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, model.apply(xs, { training: true }) as tf.Tensor);
  const initial = variables.map((v) => v.clone());
  const { value, grads } = tf.variableGrads(loss, variables);
  // Along the gradient itself: g . g has no cancellation.
  const directions = variables.map((v) => grads[v.name]!);
  const squares = directions.map((g) => tf.tidy(() => g.square().sum().dataSync()[0]!));
  const analytic = squares.reduce((a, b) => a + b, 0);
  // g' . g' against g . g' cannot see a gradient that is missing (zero) where it should not be.
  const zero = variables.filter((_, i) => squares[i] === 0).map((v) => v.name);
  // A step that changes the loss by about a thousandth of itself.
  const step = (1e-3 * value.dataSync()[0]!) / analytic;
  value.dispose();
  try {
    const lossAt = (h: number) => {
      variables.forEach((v, i) => v.assign(tf.tidy(() => initial[i]!.add(directions[i]!.mul(h)))));
      return tf.tidy(() => loss().dataSync()[0]!);
    };
    const numeric = (lossAt(step) - lossAt(-step)) / (2 * step);
    variables.forEach((v, i) => v.assign(initial[i]!));
    return { analytic, numeric, zero };
  } finally {
    tf.dispose([xs, ys, ...initial, ...directions]);
  }
}

const backends = ['cpu', ...(ENGINE.ok ? ['onednn'] : [])];
const label = (net: (typeof NETWORKS)[number]) => {
  const k = 'shortcutKernel' in net ? net.shortcutKernel : 1;
  return `${net.family}-${net.depth}, shortcut ${net.shortcut} (${k}x${k} projection where it has one)`;
};

describe('gradients through every shortcut kind against finite differences' + SKIP_NOTE, () => {
  it.each(NETWORKS.map((net) => [label(net), net] as const))('%s', async (_, net) => {
    for (const backend of backends) {
      await tf.setBackend(backend);
      const model = build(net);
      try {
        const { analytic, numeric, zero } = directionalDerivatives(model);
        expect(zero, `${backend}: weights without a gradient`).toEqual([]);
        const error = Math.abs(analytic - numeric) / Math.abs(numeric);
        expect(error, `${backend}: ${analytic} vs ${numeric}`).toBeLessThan(TOLERANCE);
      } finally {
        model.dispose();
      }
    }
  });
});

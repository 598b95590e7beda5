// The engine's BatchNormalization layer: saved models reload with stock tf.loadLayersModel as the
// stock layer, and on `onednn` its training pass (native kernels) matches the stock layer on cpu,
// moving statistics included.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_TRAINING } from './kernels/batch-norm-training';
import { batchNormalization } from './native-batch-normalization';
import { random, relativeError } from './testing/backend-parity';
import { ENGINE, SKIP_NOTE } from './testing/engine';

function model(withNative: boolean): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 4] });
  const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'c' }).apply(input);
  const bnArgs = { name: 'bn', momentum: 0.9, epsilon: 1e-5 };
  const bn = (withNative ? batchNormalization(bnArgs) : tf.layers.batchNormalization(bnArgs)).apply(conv);
  return tf.model({ inputs: input, outputs: bn as tf.SymbolicTensor });
}

describe('native BatchNormalization layer' + SKIP_NOTE, () => {
  it('serialises as the stock BatchNormalization and reloads with tf.loadLayersModel', async () => {
    await tf.setBackend('cpu');
    const m = model(true);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('"class_name":"BatchNormalization"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const stockClass = Object.getPrototypeOf(tf.layers.batchNormalization({ name: 'probe_bn' })).constructor;
    expect(Object.getPrototypeOf(loaded.getLayer('bn')).constructor).toBe(stockClass);
    const x = tf.tensor(random([2, 6, 6, 4]).values, [2, 6, 6, 4]);
    expect(relativeError((loaded.predict(x) as tf.Tensor).dataSync(), (m.predict(x) as tf.Tensor).dataSync())).toBe(0);
  });

  it.skipIf(!ENGINE.ok)(
    'trains like the stock layer: outputs, gradients, moving statistics over three steps',
    async () => {
      await tf.setBackend('cpu');
      const stockModel = model(false);
      const nativeModel = model(true);
      nativeModel.setWeights(stockModel.getWeights());
      const x = random([3, 6, 6, 4]).values;
      // A random projection keeps every gradient well away from zero (a plain sum of squares of
      // normalised outputs has a beta gradient that cancels to rounding noise).
      const r = random([3, 6, 6, 8]).values;
      const run = (m: tf.LayersModel) =>
        tf.tidy(() => {
          const xs = tf.tensor(x, [3, 6, 6, 4]);
          const vars = m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
          const { value, grads } = tf.variableGrads(
            () => (m.apply(xs, { training: true }) as tf.Tensor).mul(tf.tensor(r, [3, 6, 6, 8])).sum<tf.Scalar>(),
            vars,
          );
          return [value, ...vars.map((v) => grads[v.name]!), ...m.getWeights()].map((t) =>
            Float32Array.from(t.dataSync()),
          );
        });
      // Three passes: the first moving-average update goes through tf ops, later ones run in place.
      const threeRuns = (m: tf.LayersModel) => (run(m), run(m), run(m));
      const expected = threeRuns(stockModel);
      await tf.setBackend('onednn');
      const actual = threeRuns(nativeModel);
      actual.forEach((a, i) => expect(relativeError(a, expected[i]!), `output ${i}`).toBeLessThanOrEqual(1e-4));
    },
  );

  it('updates moving statistics in place bit for bit like the tf-ops update (exact resume)', async () => {
    // Without the engine the layer's tf-ops path runs on cpu: the same bit-for-bit check applies.
    await tf.setBackend(ENGINE.ok ? 'onednn' : 'cpu');
    const layer = batchNormalization({ name: 'bits_bn', momentum: 0.9, epsilon: 1e-5 });
    const x = tf.tensor(random([4, 5, 5, 6], -1, 3).values, [4, 5, 5, 6]);
    for (let i = 0; i < 3; i++)
      tf.tidy(() => {
        layer.apply(x, { training: true });
      });
    const [, , movingMean, movingVariance] = layer.getWeights().map((w) => Array.from(w.dataSync()));
    // The same three updates through tf ops, from the batch statistics of the same input.
    const expected = tf.tidy(() => {
      const [, mean, variance] = ENGINE.ok
        ? tf
            .engine()
            .runKernel<tf.Tensor[]>(
              BATCH_NORM_TRAINING,
              { x, gamma: tf.ones([6]), beta: tf.zeros([6]) },
              { epsilon: 1e-5 },
            )
        : [null, ...(({ mean: m, variance: v }) => [m, v])(tf.moments(x, [0, 1, 2]))];
      let m: tf.Tensor = tf.zeros([6]);
      let v: tf.Tensor = tf.ones([6]);
      for (let i = 0; i < 3; i++) {
        m = tf.sub(m, tf.mul(tf.sub(m, mean!), 1 - 0.9));
        v = tf.sub(v, tf.mul(tf.sub(v, variance!), 1 - 0.9));
      }
      return [Array.from(m.dataSync()), Array.from(v.dataSync())];
    });
    expect(movingMean).toEqual(expected[0]);
    expect(movingVariance).toEqual(expected[1]);
  });
});

// The fused SGD update: on `onednn` it runs in place and matches the tf-ops rule on cpu; it never
// changes arrays handed out by dataSync() or tensors sharing the variable's data.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sgdMomentumUpdate } from './sgd-momentum-update';
import { random, relativeError } from './testing/backend-parity';
import { ENGINE, SKIP_NOTE } from './testing/engine';

const OPTS = { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 };

const W0 = random([300, 300]).values;
const G = random([300, 300]).values;

async function threeSteps(backend: string, nesterov: boolean) {
  await tf.setBackend(backend);
  const w = tf.variable(tf.tensor(W0, [300, 300]));
  const v = tf.variable(tf.zeros([300, 300]), false);
  const g = tf.tensor(G, [300, 300]);
  for (let i = 0; i < 3; i++) sgdMomentumUpdate(w, g, v, { ...OPTS, nesterov });
  const out = [Float32Array.from(w.dataSync()), Float32Array.from(v.dataSync())];
  tf.dispose([w, v, g]);
  return out;
}

describe('sgdMomentumUpdate' + SKIP_NOTE, () => {
  it.skipIf(!ENGINE.ok)('on onednn matches the tf-ops rule on cpu (plain and Nesterov)', async () => {
    for (const nesterov of [false, true]) {
      const expected = await threeSteps('cpu', nesterov);
      const actual = await threeSteps('onednn', nesterov);
      actual.forEach((a, i) => expect(relativeError(a, expected[i]!)).toBeLessThanOrEqual(1e-6));
    }
  });

  it.skipIf(!ENGINE.ok)('updates in place without touching dataSync() copies or aliases, leaking nothing', async () => {
    await tf.setBackend('onednn');
    const w = tf.variable(tf.tensor(random([64, 64]).values, [64, 64]));
    const v = tf.variable(tf.zeros([64, 64]), false);
    const g = tf.ones([64, 64]);
    sgdMomentumUpdate(w, g, v, OPTS); // the first update adopts buffers the backend owns
    const before = tf.memory().numTensors;
    const snapshot = w.dataSync();
    const copy = Float32Array.from(snapshot);
    const alias = tf.reshape(w, [4096]); // shares w's data
    const aliasBefore = Float32Array.from(alias.dataSync());
    sgdMomentumUpdate(w, g, v, OPTS);
    expect(Array.from(snapshot)).toEqual(Array.from(copy));
    expect(Array.from(alias.dataSync())).toEqual(Array.from(aliasBefore));
    expect(relativeError(w.dataSync(), copy)).toBeGreaterThan(0);
    alias.dispose();
    sgdMomentumUpdate(w, g, v, OPTS);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, v, g]);
  });
});

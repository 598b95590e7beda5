// With the addon forced off (RESNET_LAB_DISABLE_ONEDNN=1) on every machine: registration reports
// why, nothing is registered, and the package's training pieces run on tfjs' `cpu` with tfjs'
// own results.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetAddonLoadForTesting } from './addon';
import {
  batchNormalization,
  DISABLE_ENV,
  isOnednnAvailable,
  onednnInfo,
  onednnUnavailableReason,
  registerOnednnBackend,
  sgdMomentumUpdate,
  softmaxCrossEntropy,
} from './index';
import { random, relativeError } from './testing/backend-parity';

describe('with the engine disabled', () => {
  beforeAll(async () => {
    vi.stubEnv(DISABLE_ENV, '1');
    resetAddonLoadForTesting();
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    resetAddonLoadForTesting();
  });

  it('registration returns ok:false with the reason and registers nothing', () => {
    const result = registerOnednnBackend({ threads: 2 });
    expect(result).toEqual({ ok: false, reason: `disabled by ${DISABLE_ENV}=1` });
    expect(isOnednnAvailable()).toBe(false);
    expect(onednnUnavailableReason()).toMatch(DISABLE_ENV);
    expect(onednnInfo()).toBeNull();
    expect(tf.findBackend('onednn')).toBeNull();
    expect(tf.getBackend()).toBe('cpu');
  });

  it('sgdMomentumUpdate applies PyTorch-style SGD with tf ops', () => {
    const w0 = random([3, 4]).values;
    const g = random([3, 4]).values;
    const w = tf.variable(tf.tensor(w0, [3, 4]));
    const v = tf.variable(tf.zeros([3, 4]), false);
    const opts = { lr: 0.1, momentum: 0.9, weightDecay: 0.01 };
    sgdMomentumUpdate(w, tf.tensor(g, [3, 4]), v, opts);
    sgdMomentumUpdate(w, tf.tensor(g, [3, 4]), v, opts);
    const expectW = new Float32Array(12);
    const expectV = new Float32Array(12);
    for (let i = 0; i < 12; i++) {
      let wi = w0[i]!;
      let vi = 0;
      for (let s = 0; s < 2; s++) {
        const gi = g[i]! + 0.01 * wi;
        vi = 0.9 * vi + gi;
        wi -= 0.1 * vi;
      }
      expectW[i] = wi;
      expectV[i] = vi;
    }
    expect(relativeError(w.dataSync(), expectW)).toBeLessThan(1e-6);
    expect(relativeError(v.dataSync(), expectV)).toBeLessThan(1e-6);
    w.dispose();
    v.dispose();
  });

  it('softmaxCrossEntropy equals tf.losses.softmaxCrossEntropy', () => {
    const labels = tf.oneHot(tf.tensor1d([1, 0, 3], 'int32'), 4).toFloat();
    const logits = tf.tensor(random([3, 4]).values, [3, 4]);
    expect(softmaxCrossEntropy(labels, logits).dataSync()[0]).toBeCloseTo(
      tf.losses.softmaxCrossEntropy(labels, logits).dataSync()[0]!,
      6,
    );
  });

  it('the batch-norm layer is the stock layer in training and inference', () => {
    const x = tf.tensor(random([4, 3, 3, 5]).values, [4, 3, 3, 5]);
    const ours = batchNormalization({ name: 'ours_bn', momentum: 0.9, epsilon: 1e-5 });
    const stock = tf.layers.batchNormalization({ name: 'stock_bn', momentum: 0.9, epsilon: 1e-5 });
    for (const training of [true, false]) {
      const a = ours.apply(x, { training }) as tf.Tensor;
      const b = stock.apply(x, { training }) as tf.Tensor;
      expect(relativeError(a.dataSync(), b.dataSync())).toBe(0);
    }
    expect(ours.getClassName()).toBe('BatchNormalization');
  });
});

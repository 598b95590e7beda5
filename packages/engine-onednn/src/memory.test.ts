// 1,000 training steps of a small ResNet: tf.memory().numTensors and the process RSS stay flat
// (recycled output buffers, cached weights and in-place SGD must not accumulate anything).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeTrainingStep } from '../bench/training-step';
import { onednnInfo } from './register-backend';
import { setUpOnednn } from './testing/backend-parity';
import { batch, buildResnet } from './testing/resnet-fixtures';

describe('memory over many training steps', () => {
  it('keeps numTensors and RSS flat over 1,000 steps of a small ResNet', async () => {
    const engine = setUpOnednn();
    // Without the engine the same loop runs on tfjs' JavaScript cpu kernels (~1 s a step here): a
    // short run still checks the fallback path leaks no tensor.
    const steps = engine.ok ? 1000 : 15;
    const warmup = engine.ok ? 100 : 5;
    await tf.setBackend(engine.ok ? 'onednn' : 'cpu');
    const spec = { depth: 8, inputSize: 8, classes: 10 };
    const model = buildResnet(spec);
    const data = batch(8, spec.inputSize, spec.classes);
    const xs = tf.tensor(data.x, [8, 8, 8, 3]);
    const ys = tf.tensor(data.y, [8, 10]);
    const trainer = makeTrainingStep(model);
    let tensorsAfterWarmup = 0;
    let rssAfterWarmup = 0;
    let loss = NaN;
    let cachedWeightsAfterWarmup = 0;
    for (let i = 0; i < steps; i++) {
      loss = trainer.step(xs, ys);
      if (i === warmup - 1) {
        tensorsAfterWarmup = tf.memory().numTensors;
        rssAfterWarmup = process.memoryUsage().rss;
        cachedWeightsAfterWarmup = onednnInfo()?.cachedWeights ?? 0;
      }
    }
    // Reordered weights are dropped when SGD rewrites them or their tensor is disposed.
    expect(onednnInfo()?.cachedWeights ?? 0).toBeLessThanOrEqual(cachedWeightsAfterWarmup);
    const rssGrowthMiB = (process.memoryUsage().rss - rssAfterWarmup) / 2 ** 20;
    expect(Number.isFinite(loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    // Flat up to V8's heap and malloc noise; a leak of one activation per step would add ~2 MiB
    // per 100 steps here, a leaked batch of gradients far more.
    expect(rssGrowthMiB).toBeLessThan(24);
    trainer.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

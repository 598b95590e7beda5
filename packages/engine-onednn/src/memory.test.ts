// 1,000 training steps of a small ResNet: tf.memory().numTensors and the process RSS stay flat
// (recycled output buffers, cached weights and in-place SGD must not accumulate anything).
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeTrainingStep } from '../bench/training-step';
import { onednnInfo } from './register-backend';
import { setUpOnednn } from './testing/backend-parity';
import { batch, buildResnet } from './testing/resnet-fixtures';

describe('memory over many training steps', () => {
  // RSS is the process's, and on a loaded machine malloc has once kept ~50 MiB more at the end of a
  // leak-free run; a real leak grows RSS on every try, so a failed try is measured again (same
  // bound), up to twice.
  it('keeps numTensors and RSS flat over 1,000 steps of a small ResNet', { retry: 2 }, async () => {
    const engine = setUpOnednn();
    // Without the engine the same loop runs on tfjs' JavaScript cpu kernels (~1 s a step here): a
    // short run still checks the fallback path leaks no tensor.
    const steps = engine.ok ? 1000 : 15;
    const warmup = engine.ok ? 100 : 5;
    // RSS climbs to its working size over the first ~250 steps (205 -> 279 MiB in a 4,000-step
    // run, then 264-280 MiB to the end), so its baseline is taken after that.
    const rssWarmup = engine.ok ? 300 : warmup;
    // Garbage ArrayBuffers (shape arrays, dataSync copies) wait for V8's next major GC, which
    // makes RSS a ±50 MiB sawtooth; RSS is therefore read right after a full collection.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // V8 frees ArrayBuffer memory on a background sweeper after the collection: give it time.
    const settledRss = async () => {
      for (let k = 0; k < 3; k++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      return process.memoryUsage().rss;
    };
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
        cachedWeightsAfterWarmup = onednnInfo()?.cachedWeights ?? 0;
      }
      if (i === rssWarmup - 1) rssAfterWarmup = await settledRss();
    }
    // Reordered weights are dropped when SGD rewrites them or their tensor is disposed.
    expect(onednnInfo()?.cachedWeights ?? 0).toBeLessThanOrEqual(cachedWeightsAfterWarmup);
    const rssGrowthMiB = ((await settledRss()) - rssAfterWarmup) / 2 ** 20;
    expect(Number.isFinite(loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    // Flat up to malloc's trimming (±16 MiB seen); leaking 64 KiB a step (two activations here)
    // would add ~44 MiB over these 700 steps, a leaked set of gradients ~200 MiB.
    expect(rssGrowthMiB).toBeLessThan(24);
    trainer.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

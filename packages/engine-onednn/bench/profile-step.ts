// Where a training step's time goes on the native engine: tf.profile's per-kernel times, summed
// by kernel name, plus page faults and fresh buffer allocations per step.
//   tsx packages/engine-onednn/bench/profile-step.ts [model] [batch] [threads]
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { batchNormalization } from '../src/native-batch-normalization';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { OnednnBackend } from '../src/backend';
import { registerOnednnBackend } from '../src/index';
import { MODELS } from './run-case';
import { makeTrainingStep } from './training-step';

const [modelName = 'resnet20-cifar', batchArg = '128', threadsArg] = process.argv.slice(2);
const spec = MODELS[modelName as keyof typeof MODELS];
if (!spec) throw new Error(`unknown model ${modelName}; one of ${Object.keys(MODELS).join(', ')}`);
const registered = registerOnednnBackend(threadsArg ? { threads: Number(threadsArg) } : {});
if (!registered.ok) throw new Error(registered.reason);
await tf.setBackend('onednn');
const batch = Number(batchArg);
const model = buildModel(ArchitectureSpec.parse(spec.arch), { seed: 1, batchNormLayer: batchNormalization });
const xs = tf.randomNormal([batch, spec.size, spec.size, spec.channels]);
const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, spec.classes, 'int32'), spec.classes).toFloat());
const trainer = makeTrainingStep(model);
for (let i = 0; i < 3; i++) trainer.step(xs, ys);

const profile = await tf.profile(() => {
  trainer.step(xs, ys);
});
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += k.kernelTimeMs as number;
  e.calls += 1;
  byKernel.set(k.name, e);
}
// `*__op` entries wrap kernels counted separately (customGrad ops such as fused conv).
const kernels = [...byKernel].filter(([name]) => !name.endsWith('__op')).sort((a, b) => b[1].ms - a[1].ms);
for (const [name, { ms, calls }] of kernels)
  console.log(`${name.padEnd(30)} ${ms.toFixed(1).padStart(8)} ms  ${calls} calls`);
console.log(
  `kernel total ${kernels.reduce((a, [, e]) => a + e.ms, 0).toFixed(1)} ms over ${profile.kernels.length} kernel calls`,
);

const backend = tf.backend() as OnednnBackend;
const steps = 5;
const before = process.resourceUsage();
const allocationsBefore = backend.freshPoolableAllocations;
const t0 = performance.now();
for (let i = 0; i < steps; i++) trainer.step(xs, ys);
const after = process.resourceUsage();
console.log(
  `step ${((performance.now() - t0) / steps).toFixed(1)} ms; per step: ` +
    `${((after.minorPageFault - before.minorPageFault) / steps).toFixed(0)} minor page faults, ` +
    `${((backend.freshPoolableAllocations - allocationsBefore) / steps).toFixed(1)} fresh large buffers; ` +
    `pool holds ${(backend.pooledByteCount() / 2 ** 20).toFixed(0)} MiB`,
);

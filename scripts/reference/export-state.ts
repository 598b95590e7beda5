// Writes the starting point of one resnet-lab run of the reference recipe (docs/training-parity.md)
// for PyTorch to continue from: the seeded initial weights, the normalised training and validation
// images, and each epoch's data order, exactly as resnet-lab's trainer draws them. With it,
// `torch_reference.py --state DIR` trains from the same weights on the same batches, so the two
// implementations can be compared step by step instead of seed against seed.
//   npx tsx scripts/reference/export-state.ts --depth 44 --seed 0 --out .run/parity/state/resnet-44-s0
// DIR gets meta.json (shapes, weight names), weights.bin (the trainable weights in order, float32,
// tfjs layout), train-x.bin / validation-x.bin (float32 NHWC), train-y.bin / validation-y.bin
// (int32) and orders.bin (uint32, epochs x train count).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { resolveExperiment } from '@resnet-lab/spec';
import { loadDataset } from '@resnet-lab/trainer';
// Internals the trainer does not export: the script must draw exactly what the trainer draws.
import { buildBatch } from '../../packages/trainer/src/batch.builder';
import { fitNormalizer } from '../../packages/trainer/src/normalization.stats';
import { buildSeededModel } from '../../packages/trainer/src/seeded-model.builder';
import { TrainingState } from '../../packages/trainer/src/training.state';
import { RECIPE_OPTIONS, referenceSpec } from './recipe';

const { values } = parseArgs({ options: { ...RECIPE_OPTIONS, out: { type: 'string' } } });
if (!values.out) throw new Error('--out DIR is required');
const out = values.out;
mkdirSync(out, { recursive: true });

await tf.setBackend('cpu');
const { spec, architecture: arch, training: t } = resolveExperiment(referenceSpec(values));
const data = await loadDataset(spec.dataset, {
  height: arch.inputSize!,
  width: arch.inputSize!,
  channels: arch.inputChannels!,
});
const norm = fitNormalizer(data.train, spec.dataset.normalization);
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const model = buildSeededModel(arch, t.seed);
const weights = model.trainableWeights.map((w) => ({ name: w.originalName, shape: w.shape }));
writeFileSync(join(out, 'weights.bin'), Buffer.concat(model.trainableWeights.map((w) => bytes(w.read().dataSync()))));

for (const [name, set] of [['train', data.train] as const, ['validation', data.validation!] as const]) {
  const { x, labels } = buildBatch(set, null, 0, set.count, norm);
  writeFileSync(join(out, `${name}-x.bin`), bytes(x));
  writeFileSync(join(out, `${name}-y.bin`), bytes(labels));
}

// The trainer draws epoch e's order when epoch e-1 ends (TrainingState.finishEpoch).
const state = TrainingState.fresh(t.seed, data.train.count);
const orders: Uint32Array[] = [];
for (let e = 0; e < t.epochs; e++) {
  orders.push(Uint32Array.from(state.nextOrder));
  state.finishEpoch(data.train.count, null);
}
writeFileSync(join(out, 'orders.bin'), Buffer.concat(orders.map(bytes)));

const { height, width, channels } = data.train;
const meta = {
  spec,
  height,
  width,
  channels,
  classes: data.classes,
  trainCount: data.train.count,
  validationCount: data.validation!.count,
  epochs: t.epochs,
  weights,
};
writeFileSync(join(out, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
console.error(`wrote ${out}: ${weights.length} weight tensors, ${data.train.count} training images`);

// Scores small batches from trained states, on each backend, to tell an engine fault from the
// recipe's own sensitivity. In the reference recipe (docs/training-parity.md) each epoch ends with
// a 16-image batch; late in some runs resnet-lab's logged loss on it was 15-20x the epoch's mean.
// This trains one run, and from the state after each epoch scores, in training mode (batch-norm on
// the batch's own statistics, as the training step does):
//   - the next epoch's last (small) batch,
//   - 16-image slices of the next epoch's first full batches, and those full batches,
// on `onednn` with the trainer's native batch-norm layer, on `onednn` with tfjs' stock layer and (the
// small batches: its JavaScript kernels take minutes for a full one) on tfjs `cpu`. Equal scores put
// a high small-batch loss on the weights, not the engine.
//   npx tsx scripts/reference/small-batch-probe.ts --depth 44 --seed 3 [recipe options]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from '@resnet-lab/engine-onednn';
import { resolveExperiment } from '@resnet-lab/spec';
import { decodeCheckpoint, loadDataset, runTraining, setModelWeights } from '@resnet-lab/trainer';
// Internals the trainer does not export: the probe must build exactly the trainer's batches.
import { buildBatch } from '../../packages/trainer/src/batch.builder';
import { fitNormalizer } from '../../packages/trainer/src/normalization.stats';
import { buildSeededModel } from '../../packages/trainer/src/seeded-model.builder';
import { RECIPE_OPTIONS, referenceSpec } from './recipe';

const { values } = parseArgs({
  options: { ...RECIPE_OPTIONS, slices: { type: 'string', default: '4' } },
});
const spec = referenceSpec(values, { checkpointEvery: 1, logEverySteps: 1 });
const experiment = resolveExperiment(spec);
const { architecture: arch, training: t } = experiment;
const slices = Number(values.slices);

const checkpoints: Uint8Array[] = [];
const epochLoss: number[] = [];
// The training step's own loss on each epoch's last batch, as the trainer logged it.
const loggedLastLoss: number[] = [];
const result = await runTraining({
  experiment,
  backend: 'onednn',
  signal: new AbortController().signal,
  onEvent: (e) => {
    if (e.type === 'progress' && e.step === e.stepsPerEpoch) loggedLastLoss[e.epoch] = e.loss;
    if (e.type !== 'epoch') return;
    if (e.checkpoint) checkpoints[e.epoch] = e.checkpoint.bytes;
    epochLoss[e.epoch] = e.metrics.find((m) => m.split === 'train' && m.name === 'loss')?.value ?? NaN;
    console.error(`trained epoch ${e.epoch}`);
  },
});
if (result.backend !== 'onednn') throw new Error(`trained on ${result.backend}, not onednn`);

const data = await loadDataset(spec.dataset, {
  height: arch.inputSize!,
  width: arch.inputSize!,
  channels: arch.inputChannels!,
});
const norm = fitNormalizer(data.train, spec.dataset.normalization);
const shape = [data.train.height, data.train.width, data.train.channels];

type Batch = { name: string; x: Float32Array; labels: Int32Array };

/** Mean softmax cross-entropy of `batch` in training mode. */
function trainingModeLoss(model: tf.LayersModel, batch: Batch): number {
  return tf.tidy(() => {
    const n = batch.labels.length;
    const logits = model.apply(tf.tensor(batch.x, [n, ...shape]), { training: true }) as tf.Tensor;
    const onehot = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), data.classes);
    return tf.losses.softmaxCrossEntropy(onehot, logits).dataSync()[0]!;
  });
}

const variants = [
  { name: 'onednn-native-bn', backend: 'onednn', native: true, smallOnly: false },
  { name: 'onednn-stock-bn', backend: 'onednn', native: false, smallOnly: false },
  // tfjs' JavaScript kernels: the small batches only (a full batch of a deep net takes a minute).
  { name: 'cpu', backend: 'cpu', native: false, smallOnly: true },
] as const;

for (let epoch = 1; epoch < t.epochs; epoch++) {
  const ck = decodeCheckpoint(checkpoints[epoch]!);
  const order = ck.dataOrder;
  const fullBatches = Math.floor(order.length / t.batchSize);
  const batches: Batch[] = [];
  const tail = buildBatch(data.train, order, fullBatches * t.batchSize, order.length, norm);
  batches.push({ name: `last ${order.length - fullBatches * t.batchSize}`, ...tail });
  for (let b = 0; b < slices; b++) {
    const start = b * t.batchSize;
    batches.push({ name: `batch ${b} [0,16)`, ...buildBatch(data.train, order, start, start + 16, norm) });
    batches.push({ name: `batch ${b}`, ...buildBatch(data.train, order, start, start + t.batchSize, norm) });
  }
  const scores: Record<string, Record<string, number>> = {};
  for (const v of variants) {
    await tf.setBackend(v.backend);
    const model = buildSeededModel(arch, t.seed, v.native ? batchNormalization : undefined);
    // Fresh copies: a training-mode pass moves the batch-norm statistics, never the next variant's.
    setModelWeights(
      model,
      ck.weights.map((w) => w.slice()),
      ck.header.weights.map((w) => w.name),
    );
    const scored = batches.filter((b) => !v.smallOnly || b.labels.length < t.batchSize);
    scores[v.name] = Object.fromEntries(scored.map((b) => [b.name, trainingModeLoss(model, b)]));
    model.dispose();
  }
  console.log(
    JSON.stringify({
      epoch,
      epochTrainLoss: epochLoss[epoch],
      nextEpochLoggedLastBatchLoss: loggedLastLoss[epoch + 1],
      scores,
    }),
  );
}

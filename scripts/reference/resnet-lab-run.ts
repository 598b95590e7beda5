// One run of the reference recipe (docs/training-parity.md) in resnet-lab's own trainer, printed
// as one JSON line per epoch: {"epoch", "trainError", "validationError", "trainLoss"}.
//   npx tsx scripts/reference/resnet-lab-run.ts --family cifar-resnet --depth 44 --seed 0 [--epochs 12]
//     [--backend onednn] [--subset 10000] [--validation 2000] [--milestones 6,9] [--input-size 28]
//     [--lr 0.1] [--weight-decay 1e-4]
import { parseArgs } from 'node:util';
import { ExperimentSpec, resolveExperiment } from '@resnet-lab/spec';
import { decodeCheckpoint, runTraining } from '@resnet-lab/trainer';

const { values } = parseArgs({
  options: {
    family: { type: 'string', default: 'cifar-resnet' },
    depth: { type: 'string', default: '20' },
    seed: { type: 'string', default: '0' },
    epochs: { type: 'string', default: '12' },
    milestones: { type: 'string', default: '6,9' },
    backend: { type: 'string', default: 'onednn' },
    subset: { type: 'string', default: '10000' },
    validation: { type: 'string', default: '2000' },
    'input-size': { type: 'string', default: '28' },
    lr: { type: 'string', default: '0.1' },
    'weight-decay': { type: 'string', default: '1e-4' },
  },
});

const spec = ExperimentSpec.parse({
  architecture: {
    family: values.family,
    depth: Number(values.depth),
    inputSize: Number(values['input-size']),
    ...(values.family === 'cifar-resnet' ? { shortcut: 'A' } : {}),
  },
  dataset: {
    name: 'fashion-mnist',
    subset: Number(values.subset),
    validationSplit: Number(values.validation),
  },
  training: {
    epochs: Number(values.epochs),
    batchSize: 128,
    learningRate: Number(values.lr),
    momentum: 0.9,
    weightDecay: Number(values['weight-decay']),
    seed: Number(values.seed),
    schedule: { type: 'step', milestones: values.milestones.split(',').map(Number), gamma: 0.1 },
    evaluateTest: 'never',
    checkpointEvery: 1_000,
  },
});

/**
 * How many weights and momentum values ended up subnormal (below 2^-126 in magnitude, not zero):
 * x86 handles those in microcode, ~100x slower, so many of them would call for flush-to-zero.
 */
function reportSubnormals(bytes: Uint8Array): void {
  const ck = decodeCheckpoint(bytes);
  const count = (arrays: Float32Array[]) => {
    let subnormal = 0;
    let total = 0;
    for (const a of arrays) {
      total += a.length;
      for (const v of a) if (v !== 0 && Math.abs(v) < 2 ** -126) subnormal++;
    }
    return `${subnormal} of ${total}`;
  };
  console.error(`subnormal values at the end: weights ${count(ck.weights)}, momentum ${count(ck.velocities)}`);
}

const value = (metrics: { split: string; name: string; value: number }[], split: string, name: string) =>
  metrics.find((m) => m.split === split && m.name === name)?.value ?? null;

const result = await runTraining({
  experiment: resolveExperiment(spec),
  backend: values.backend,
  signal: new AbortController().signal,
  onEvent: (e) => {
    if (e.type === 'epoch') {
      const line = {
        epoch: e.epoch,
        trainError: value(e.metrics, 'train', 'error'),
        validationError: value(e.metrics, 'validation', 'error'),
        trainLoss: value(e.metrics, 'train', 'loss'),
      };
      console.log(JSON.stringify(line));
      if (e.checkpoint && e.epoch === spec.training.epochs) reportSubnormals(e.checkpoint.bytes);
    }
  },
});
console.error(`backend ${result.backend}, ${result.status}`);

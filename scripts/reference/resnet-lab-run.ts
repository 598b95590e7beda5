// One run of the reference recipe (docs/training-parity.md) in resnet-lab's own trainer, printed
// as one JSON line per epoch: {"epoch", "trainError", "validationError", "trainLoss"}.
//   npx tsx scripts/reference/resnet-lab-run.ts --family cifar-resnet --depth 44 --seed 0 [--epochs 12]
//     [--backend onednn] [--subset 10000] [--validation 2000] [--milestones 6,9] [--input-size 28]
//     [--lr 0.1] [--weight-decay 1e-4] [--split-seed 0] [--steps-out steps.jsonl] [--drop-last]
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveExperiment } from '@resnet-lab/spec';
import { decodeCheckpoint, runTraining } from '@resnet-lab/trainer';
import { RECIPE_OPTIONS, referenceSpec } from './recipe';

const { values } = parseArgs({
  options: {
    ...RECIPE_OPTIONS,
    backend: { type: 'string', default: 'onednn' },
    // One line per iteration: {"step", "loss"} (the batch's mean loss), for step-by-step comparison.
    'steps-out': { type: 'string' },
    // Leave out each epoch's last, incomplete batch (training.dropLastBatch).
    'drop-last': { type: 'boolean', default: false },
  },
});

const stepsOut = values['steps-out'];
const spec = referenceSpec(values, {
  ...(stepsOut ? { logEverySteps: 1 } : {}),
  ...(values['drop-last'] ? { dropLastBatch: true } : {}),
});
if (stepsOut) writeFileSync(stepsOut, '');

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
    if (e.type === 'progress' && stepsOut) {
      const step = (e.epoch - 1) * e.stepsPerEpoch + e.step;
      appendFileSync(stepsOut, `${JSON.stringify({ step, loss: e.loss })}\n`);
    }
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

// `npx tsx scripts/bench-transfer.ts`: transfer learning on real MNIST with LeNet-5. A network
// trained on digits 0-4 (2 epochs) has only its head fine-tuned on digits 5-9 for one epoch; beside
// it, the same one epoch on 5-9 from scratch with every layer trained, and from scratch with the
// same frozen layers left at their random initialisation (what the frozen features are worth
// without the transfer). Test error on all test images of 5-9. Writes its section of BENCHMARKS.md.
import os from 'node:os';
import { ExperimentSpec, resolveExperiment, type TrainerEvent } from '@resnet-lab/spec';
import { runTraining } from '@resnet-lab/trainer';
import { writeMarkedSection } from './benchmarks-file';

const START = '<!-- transfer-bench:start -->';
const END = '<!-- transfer-bench:end -->';
const SOURCE_ID = '00000000-0000-4000-8000-0000000000aa';
const training = { batchSize: 32, learningRate: 0.05, schedule: { type: 'cosine' }, evaluateTest: 'final' } as const;
const digits = (labels: number[]) => ({ name: 'mnist', labels, validationSplit: 500 }) as const;

async function train(input: unknown, init?: Uint8Array) {
  const epochs: Extract<TrainerEvent, { type: 'epoch' }>[] = [];
  const result = await runTraining({
    experiment: resolveExperiment(ExperimentSpec.parse(input)),
    signal: new AbortController().signal,
    onEvent: (e) => {
      if (e.type === 'epoch') epochs.push(e);
    },
    ...(init ? { init: { experiment: SOURCE_ID, epoch: 2, bytes: init } } : {}),
  });
  const last = epochs.at(-1)!;
  const error = last.metrics.find((m) => m.split === 'test' && m.name === 'error')!.value;
  return { backend: result.backend, checkpoint: last.checkpoint!.bytes, error };
}

async function main() {
  const lenet = { family: 'lenet5' } as const;
  const source = await train({
    architecture: lenet,
    dataset: digits([0, 1, 2, 3, 4]),
    training: { ...training, epochs: 2 },
  });
  const target = { architecture: lenet, dataset: digits([5, 6, 7, 8, 9]), training: { ...training, epochs: 1 } };
  const headOnly = { from: { experiment: SOURCE_ID, epoch: 2 }, freeze: 'all-but-head', resetHead: true } as const;
  const transferred = await train({ ...target, init: headOnly }, source.checkpoint);
  const scratch = await train(target);
  // The same frozen layers, never trained: a "source" that is the untrained network itself.
  const untrained = await train({
    architecture: lenet,
    dataset: digits([0, 1, 2, 3, 4]),
    training: { ...training, epochs: 1, learningRate: 1e-9 },
  });
  const randomFeatures = await train({ ...target, init: headOnly }, untrained.checkpoint);
  const pct = (e: number) => `${(100 * (1 - e)).toFixed(2)}%`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const rows = [
    [`trained on digits 0-4 (2 epochs; ${pct(source.error)} on 0-4)`, 'the head only, the rest frozen', transferred],
    ['from scratch', 'every layer', scratch],
    ['from scratch, layers left untrained', 'the head only, the rest frozen at random', randomFeatures],
  ] as const;
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}),`,
    `backend ${transferred.backend}, by \`npx tsx scripts/bench-transfer.ts\` (the CI test is`,
    '`packages/trainer/src/transfer.mnist.test.ts`): LeNet-5 (batch norm, ReLU), batch 32, lr 0.05 cosine,',
    'all training images of the digits but 500 held out; accuracy on all test images of digits 5-9.',
    'Frozen batch-norm layers run in inference mode (their moving statistics as loaded).',
    '',
    '| network | trained on 5-9 for one epoch | test accuracy on 5-9 |',
    '| --- | --- | --- |',
    ...rows.map(([network, trained, run]) => `| ${network} | ${trained} | ${pct(run.error)} |`),
    END,
  ].join('\n');
  writeMarkedSection({ start: START, end: END }, 'Transfer learning', section);
  console.log(section);
}

void main();

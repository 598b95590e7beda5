// `npx tsx scripts/bench-precision.ts [--rounds N] [--steps N] [--seeds 0,1,2] [--epochs N] [--skip-accuracy]`:
// bf16 mixed precision (training.precision) against fp32 on the native engine.
//   Speed: the engine's raw training step (one fixed batch, forward, backward, SGD) of three
//   networks, fp32 and bf16 each in its own process, interleaved in every round (the order
//   alternating) so that the host's noise falls on both; the bf16/fp32 ratio per round, then median
//   and range.
//   Accuracy: ResNet-20 on Fashion-MNIST with the reference recipe (docs/training-parity.md: 10,000
//   images, 12 epochs, lr 0.1 divided by 10 at epochs 6 and 9) through the real loop, fp32 and bf16
//   for each seed (same initial weights and data order), final training and validation error.
// Needs a CPU with native bf16 (AVX512_BF16 or AMX); elsewhere it says so and writes nothing.
// Writes its marked section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { ArchitectureSpec, resolveExperiment } from '@resnet-lab/spec';
import { runTraining } from '@resnet-lab/trainer';
import {
  batchNormalization,
  bf16Supported,
  onednnInfo,
  registerOnednnBackend,
  setConvPrecision,
  type ConvPrecision,
} from '@resnet-lab/engine-onednn';
import { makeTrainingStep } from '../packages/engine-onednn/bench/training-step';
import { RECIPE_OPTIONS, referenceSpec } from './reference/recipe';
import { writeMarkedSection } from './benchmarks-file';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const START = '<!-- precision-bench:start -->';
const END = '<!-- precision-bench:end -->';
const PRECISIONS: ConvPrecision[] = ['fp32', 'bf16'];
const WARMUP_STEPS = 3;

const NETWORKS = {
  'ResNet-20, 28x28x1, batch 128': {
    arch: { family: 'cifar-resnet', depth: 20, shortcut: 'A', inputSize: 28, inputChannels: 1 },
    shape: [28, 28, 1],
    batch: 128,
    classes: 10,
  },
  'ResNet-20, 32x32x3, batch 128': {
    arch: { family: 'cifar-resnet', depth: 20, shortcut: 'A' },
    shape: [32, 32, 3],
    batch: 128,
    classes: 10,
  },
  'ResNet-18, 224x224x3, batch 16': {
    arch: { family: 'resnet', depth: 18, shortcut: 'B' },
    shape: [224, 224, 3],
    batch: 16,
    classes: 1000,
  },
} as const;
type NetworkName = keyof typeof NETWORKS;

/** Images/s of the raw step, median step time over `steps` after warm-up. */
function speedCase(network: NetworkName, steps: number): number {
  const n = NETWORKS[network];
  const model = buildModel(ArchitectureSpec.parse(n.arch), { seed: 1, batchNormLayer: batchNormalization });
  const xs = tf.randomNormal([n.batch, ...n.shape], 0, 1, 'float32', 3);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([n.batch], 0, n.classes, 'int32', 4), n.classes).toFloat());
  const trainer = makeTrainingStep(model, { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
  for (let i = 0; i < WARMUP_STEPS; i++) trainer.step(xs, ys);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainer.step(xs, ys);
    times.push(performance.now() - t0);
  }
  return (n.batch * 1000) / median(times);
}

type TrainResult = { trainError: number; validationError: number; imagesPerSecond: number };

/** The reference recipe through runTraining, in the given precision. */
async function trainCase(seed: string, epochs: string, precision: ConvPrecision): Promise<TrainResult> {
  const defaults = Object.fromEntries(Object.entries(RECIPE_OPTIONS).map(([k, v]) => [k, v.default]));
  const spec = referenceSpec({ ...defaults, depth: '20', seed, epochs } as Parameters<typeof referenceSpec>[0], {
    precision,
  });
  let last: TrainResult | null = null;
  const speeds: number[] = [];
  await runTraining({
    experiment: resolveExperiment(spec),
    backend: 'onednn',
    signal: new AbortController().signal,
    onEvent: (e) => {
      if (e.type !== 'epoch') return;
      const value = (split: string, name: string) => e.metrics.find((m) => m.split === split && m.name === name)!.value;
      speeds.push(value('train', 'images_per_second'));
      last = {
        trainError: value('train', 'error'),
        validationError: value('validation', 'error'),
        imagesPerSecond: median(speeds),
      };
      console.error(`${precision} seed ${seed} epoch ${e.epoch}: train ${last.trainError.toFixed(4)}`);
    },
  });
  if (!last) throw new Error('the run reported no epoch');
  return last;
}

function runChild(args: string[]): unknown {
  const child = spawnSync(process.execPath, [tsxCli, self, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = child.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) throw new Error(`case ${args.join(' ')} failed (exit ${child.status})`);
  return JSON.parse(line);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const pct = (x: number) => (100 * x).toFixed(2);

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      steps: { type: 'string', default: '10' },
      seeds: { type: 'string', default: '0,1,2' },
      epochs: { type: 'string', default: '12' },
      'skip-accuracy': { type: 'boolean', default: false },
      case: { type: 'string' },
      network: { type: 'string' },
      precision: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (values.case) {
    const registered = registerOnednnBackend();
    if (!registered.ok) throw new Error(`the native engine is unavailable: ${registered.reason}`);
    await tf.setBackend('onednn');
    const precision = values.precision as ConvPrecision;
    if (values.case === 'speed') {
      setConvPrecision(precision);
      console.log(JSON.stringify({ imagesPerSecond: speedCase(values.network as NetworkName, Number(values.steps)) }));
    } else {
      console.log(JSON.stringify(await trainCase(values.seed!, values.epochs, precision)));
    }
    return;
  }
  if (!registerOnednnBackend().ok || !bf16Supported()) {
    console.log('bench-precision: skipped: no oneDNN engine with native bf16 (AVX512_BF16 or AMX) on this machine');
    return;
  }
  const rounds = Number(values.rounds);
  const steps = values.steps;
  const speed = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const network of Object.keys(NETWORKS) as NetworkName[]) {
      const order = r % 2 === 0 ? PRECISIONS : [...PRECISIONS].reverse();
      for (const precision of order) {
        const args = ['--case', 'speed', '--network', network, '--precision', precision, '--steps', steps];
        const { imagesPerSecond } = runChild(args) as { imagesPerSecond: number };
        const key = `${network}|${precision}`;
        speed.set(key, [...(speed.get(key) ?? []), imagesPerSecond]);
        console.error(`round ${r + 1} ${network} ${precision}: ${imagesPerSecond.toFixed(1)} img/s`);
      }
    }
  }
  const speedRows = (Object.keys(NETWORKS) as NetworkName[]).map((network) => {
    const fp32 = speed.get(`${network}|fp32`)!;
    const bf16 = speed.get(`${network}|bf16`)!;
    const ratios = bf16.map((b, i) => b / fp32[i]!);
    return (
      `| ${network} | ${median(ratios).toFixed(2)} | ${range(ratios)} | ${rounds} | ` +
      `${median(fp32).toFixed(0)} / ${median(bf16).toFixed(0)} |`
    );
  });

  const seeds = values.seeds.split(',');
  const accuracy: Record<ConvPrecision, TrainResult[]> = { fp32: [], bf16: [] };
  if (!values['skip-accuracy']) {
    for (const [i, seed] of seeds.entries()) {
      for (const precision of i % 2 === 0 ? PRECISIONS : [...PRECISIONS].reverse()) {
        const args = ['--case', 'train', '--seed', seed, '--epochs', values.epochs, '--precision', precision];
        accuracy[precision].push(runChild(args) as TrainResult);
      }
    }
  }
  const info = onednnInfo();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const errors = (p: ConvPrecision, k: 'trainError' | 'validationError') => accuracy[p].map((r) => r[k]);
  const accuracySection = values['skip-accuracy']
    ? ['Accuracy not measured in this run (--skip-accuracy).']
    : [
        `ResNet-20 on Fashion-MNIST, the reference recipe (10,000 training images, ${values.epochs} epochs), seeds ` +
          `${seeds.join(', ')}; final error in %, mean ± std over seeds (per seed in brackets):`,
        '',
        '| precision | training error | validation error | loop images/s (median) |',
        '| --- | --- | --- | --- |',
        ...PRECISIONS.map((p) => {
          const cell = (k: 'trainError' | 'validationError') =>
            `${pct(mean(errors(p, k)))} ± ${pct(std(errors(p, k)))} (${errors(p, k).map(pct).join(', ')})`;
          return `| ${p} | ${cell('trainError')} | ${cell('validationError')} | ${median(
            accuracy[p].map((r) => r.imagesPerSecond),
          ).toFixed(0)} |`;
        }),
        '',
        `bf16 − fp32, mean over seeds: training error ${(
          100 *
          (mean(errors('bf16', 'trainError')) - mean(errors('fp32', 'trainError')))
        ).toFixed(2)} points, validation error ${(
          100 *
          (mean(errors('bf16', 'validationError')) - mean(errors('fp32', 'validationError')))
        ).toFixed(2)} points.`,
      ];
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}; oneDNN ` +
      `${info?.version}, ${info?.isa}) by \`npx tsx scripts/bench-precision.ts --rounds ${rounds} --steps ${steps}` +
      `${values['skip-accuracy'] ? ' --skip-accuracy' : ` --seeds ${values.seeds} --epochs ${values.epochs}`}\`.`,
    `Speed: the engine's raw training step, ${steps} timed steps after ${WARMUP_STEPS} warm-up steps per case, fp32`,
    'and bf16 each in its own process, interleaved in every round.',
    '',
    '| network | bf16 / fp32 (images/s) | range | rounds | fp32 / bf16 images/s (median) |',
    '| --- | --- | --- | --- | --- |',
    ...speedRows,
    '',
    ...accuracySection,
    END,
  ].join('\n');
  writeMarkedSection({ start: START, end: END }, 'bf16 mixed precision', section);
  console.log(section);
}

void main();

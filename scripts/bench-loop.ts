// `npx tsx scripts/bench-loop.ts [--rounds N] [--steps N]`: the trainer's real training loop
// (runTraining: batches built in JavaScript, loss, SGD, metrics, progress events) against the
// engine's raw training step on the same network and input, on the native engine. Plain-20 on
// 28x28x1 images at batch 128, as a Fashion-MNIST grid trains it. Three cases, each in its own
// process: the raw step, the loop on its own, and the loop as the worker runs it (its trainer child
// process, with a CPU slot's environment, events over IPC). They are interleaved in every round
// (the order rotating) so that the host's noise falls on all of them, and the ratios to the raw
// step are reported per round, then median and range.
// The loop's per-step profile (where each millisecond goes) is the median over rounds per phase.
// Writes its marked section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { runTraining, STEP_PHASES, StepProfiler, type StepPhase } from '@resnet-lab/trainer';
import { batchNormalization, registerOnednnBackend } from '@resnet-lab/engine-onednn';
import { makeTrainingStep } from '../packages/engine-onednn/bench/training-step';
import { LOOP_ARCHITECTURE, LOOP_BATCH, loopExperiment, trainerChildSpeed } from './trainer-child-case';
import { writeMarkedSection } from './benchmarks-file';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const START = '<!-- loop-bench:start -->';
const END = '<!-- loop-bench:end -->';

const BATCH = LOOP_BATCH;
const WARMUP_STEPS = 5;

type CaseName = 'raw' | 'loop' | 'worker';
const CASES: CaseName[] = ['raw', 'loop', 'worker'];
type CaseResult = { imagesPerSecond: number; phases?: Record<StepPhase, number> };

/** The engine's own step (bench/training-step.ts) on one fixed batch, as `npm run bench` times it. */
function rawCase(steps: number): CaseResult {
  const model = buildModel(ArchitectureSpec.parse(LOOP_ARCHITECTURE), { seed: 1, batchNormLayer: batchNormalization });
  const xs = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 3);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 4), 10).toFloat());
  const trainer = makeTrainingStep(model, { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
  for (let i = 0; i < WARMUP_STEPS; i++) trainer.step(xs, ys);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) trainer.step(xs, ys);
  return { imagesPerSecond: (steps * BATCH) / ((performance.now() - t0) / 1000) };
}

/** runTraining itself, one epoch of synthetic 28x28x1 images; the first steps warm up. */
async function loopCase(steps: number): Promise<CaseResult> {
  const profiler = new StepProfiler();
  let warm = false;
  await runTraining({
    experiment: loopExperiment((WARMUP_STEPS + steps) * BATCH, 1, WARMUP_STEPS),
    signal: new AbortController().signal,
    backend: 'onednn',
    profiler,
    onEvent: (e) => {
      // The first progress event comes after the warm-up steps: count from there.
      if (e.type === 'progress' && !warm) {
        warm = true;
        profiler.reset();
      }
    },
  });
  const { phases, totalMs } = profiler.perStep();
  return { imagesPerSecond: BATCH / (totalMs / 1000), phases };
}

/** The worker's trainer child with a single CPU slot's environment (its default wait policy). */
async function workerCase(steps: number): Promise<CaseResult> {
  const env = { OMP_NUM_THREADS: String(os.availableParallelism()), OMP_WAIT_POLICY: 'PASSIVE' };
  return { imagesPerSecond: await trainerChildSpeed(steps, env) };
}

function runChild(name: CaseName, steps: number): CaseResult {
  const child = spawnSync(process.execPath, [tsxCli, self, '--case', name, '--steps', String(steps)], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  const line = child.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line) throw new Error(`the ${name} case failed: ${child.stderr.slice(-2000)}`);
  return JSON.parse(line) as CaseResult;
}

const LABELS: Record<CaseName, string> = { raw: 'raw step', loop: 'real loop', worker: "worker's trainer child" };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      steps: { type: 'string', default: '30' },
      case: { type: 'string' },
    },
  });
  const steps = Number(values.steps);
  if (values.case) {
    const registered = registerOnednnBackend();
    if (!registered.ok) throw new Error(`the native engine is unavailable: ${registered.reason}`);
    await tf.setBackend('onednn');
    const result = values.case === 'raw' ? rawCase(steps) : await loopCase(steps);
    console.log(JSON.stringify(result));
    return;
  }
  const rounds = Number(values.rounds);
  const results = new Map<CaseName, CaseResult[]>(CASES.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    const order = CASES.map((_, i) => CASES[(i + r) % CASES.length]!);
    for (const name of order) {
      // The worker case forks the trainer child itself; the other two run in a child of this script.
      const result = name === 'worker' ? await workerCase(steps) : runChild(name, steps);
      results.get(name)!.push(result);
      console.log(`round ${r + 1} ${name}: ${result.imagesPerSecond.toFixed(1)} img/s`);
    }
  }
  const speeds = (name: CaseName) => results.get(name)!.map((x) => x.imagesPerSecond);
  const ratiosToRaw = (name: CaseName) => speeds(name).map((x, i) => x / speeds('raw')[i]!);
  const loop = results.get('loop')!;
  const phaseMs = (p: StepPhase) => median(loop.map((l) => l.phases![p]));
  const total = STEP_PHASES.reduce((a, p) => a + phaseMs(p), 0);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${cpu}) by`,
    `\`npx tsx scripts/bench-loop.ts --rounds ${rounds} --steps ${steps}\`: plain-20 on 28x28x1 images at batch`,
    `${BATCH}, the native engine, ${steps} timed steps after ${WARMUP_STEPS} warm-up steps per case; the raw step`,
    '(the engine benchmark: one fixed batch, forward, backward, SGD), the real loop (runTraining) and',
    "the loop in the worker's trainer child (second of two epochs, a CPU slot's environment:",
    `OMP_WAIT_POLICY=PASSIVE, ${os.availableParallelism()} threads), interleaved in every round.`,
    '',
    '| ratio | median | range | rounds |',
    '| --- | --- | --- | --- |',
    ...(['loop', 'worker'] as const).map(
      (name) =>
        `| ${LABELS[name]} / raw step (images/s) | ${median(ratiosToRaw(name)).toFixed(2)} | ` +
        `${range(ratiosToRaw(name))} | ${rounds} |`,
    ),
    '',
    `Images/s, median (range): ${CASES.map(
      (name) => `${LABELS[name]} ${median(speeds(name)).toFixed(0)} (${range(speeds(name), 0)})`,
    ).join('; ')}.`,
    '',
    'Where a step of the real loop goes (ms per step, median over rounds):',
    '',
    '| phase | ms/step | share |',
    '| --- | --- | --- |',
    ...STEP_PHASES.map((p) => `| ${p} | ${phaseMs(p).toFixed(2)} | ${((100 * phaseMs(p)) / total).toFixed(1)}% |`),
    END,
  ].join('\n');
  writeMarkedSection({ start: START, end: END }, 'The real training loop against the raw step', section);
  console.log(section);
}

void main();
